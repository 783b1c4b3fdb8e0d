# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""journal_excerpt: a failed slot's journal made into entries, the cause kept whole."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._journal import ENTRY_LINES, excerpt


def record(message, level="INFO", logger="gunicorn.error", **extra):
    return json.dumps(dict(level=level, logger=logger, message=message, app="hello", release="r-1",
                           slot="a", request_id=None, time="2026-12-01T18:02:35+00:00", **extra))


WORKER_TRACEBACK = ("Traceback (most recent call last):\n"
                    '  File "/srv/hello/releases/r-1/venv/lib/python3.11/site-packages/hello/main.py", line 3\n'
                    "    raise RuntimeError(\"broken on purpose\")\n"
                    "RuntimeError: broken on purpose")
MASTER_TRACEBACK = ["Traceback (most recent call last):"] + [
    '  File "/venv/lib/python3.11/site-packages/gunicorn/arbiter.py", line %d, in run' % n for n in range(30)
] + ["gunicorn.errors.HaltServer: <HaltServer 'Worker failed to boot.' 3>"]


def start_attempt(counter):
    """One start of a slot whose app raises at import, as the journal has it in json mode."""
    return [
        record("Starting gunicorn 23.0.0"),
        record("Booting worker with pid: %d" % (100 + counter)),
        record("Exception in worker process", level="ERROR", exc_info=WORKER_TRACEBACK),
        record("Worker exiting (pid: %d)" % (100 + counter)),
        record("Reason: Worker failed to boot."),
    ] + [record(line, level="ERROR", logger="stderr") for line in MASTER_TRACEBACK] + [
        "asgi-hello@a.service: Main process exited, code=exited, status=1/FAILURE",
        "asgi-hello@a.service: Scheduled restart job, restart counter is at %d." % counter,
    ]


CRASH_LOOP = "\n".join(sum((start_attempt(n) for n in range(1, 6)), []) + [
    "asgi-hello@a.service: Start request repeated too quickly.",
    "Failed to start asgi-hello@a.service - ASGI app hello, slot a (gunicorn).",
])


def test_a_crash_loops_last_attempt_shows_its_cause_whole():
    shown = excerpt(CRASH_LOOP, 30)
    assert "RuntimeError: broken on purpose" in shown
    assert "ERROR gunicorn.error: Exception in worker process" in shown
    # The master's traceback, written line by line to stderr, is one entry: whole and in order.
    assert "\n".join(MASTER_TRACEBACK) in shown
    assert shown.endswith("Failed to start asgi-hello@a.service - ASGI app hello, slot a (gunicorn).")
    # Records read as text, not JSON.
    assert '"level"' not in shown


def test_the_same_journal_as_lines_loses_the_cause():
    # Why entries: the last 30 lines alone hold only the master's traceback.
    assert "broken on purpose" not in "\n".join(CRASH_LOOP.splitlines()[-30:])


@pytest.mark.parametrize("text, entries, expected", [
    ("", 30, ""),
    (None, 30, ""),
    ("a\nb\nc", 2, "b\nc"),
    ("a\nb", 0, ""),
    # Plain text: an indented line belongs to the line above; blank lines are dropped.
    ("start\nTraceback:\n  File x\n  File y\nValueError: v\n\nend", 3, "Traceback:\n  File x\n  File y\nValueError: v\nend"),
    # A JSON line without a message, or JSON that is not an object, is a plain line.
    ('{"level": "INFO"}\n[1, 2]', 30, '{"level": "INFO"}\n[1, 2]'),
    ("{not json", 30, "{not json"),
    # A record's missing level and logger read as INFO and -.
    ('{"message": "hi"}', 30, "INFO -: hi"),
    # stderr records continue each other; another record between them starts a new entry.
    ("\n".join([record("one", logger="stderr"), record("two", logger="stderr"), record("mid"),
                record("three", logger="stderr")]), 2, "INFO gunicorn.error: mid\nthree"),
    # An indented plain line after a record is a line of its own, not the record's.
    ("\n".join([record("r"), "  indented"]), 1, "  indented"),
])
def test_entries(text, entries, expected):
    assert excerpt(text, entries) == expected


def test_a_long_entry_shows_its_last_lines():
    lines = ["line %d" % n for n in range(ENTRY_LINES + 5)]
    shown = excerpt("\n".join(record(line, logger="stderr") for line in lines), 30).splitlines()
    assert shown[0] == "(5 lines left out)"
    assert shown[1:] == lines[5:]


def test_a_record_reads_as_its_text_so_a_secret_in_it_can_be_redacted():
    # In the JSON line the quote and the backslash are escaped; the excerpt has them as they are.
    secret = 'pa"ss\\word'
    assert secret not in record("token " + secret)
    assert excerpt(record("token " + secret, logger="app")) == "INFO app: token " + secret
