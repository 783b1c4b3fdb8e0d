# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The relay of asgi_deploy_runtime (roles/gunicorn/files): what a process or timer prints
becomes records of the web slot's log configuration, so with JSON logs every line of the
app's units is JSON with the app, release and slot."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._escape import python_literal
from ansible_collections.asgi.deploy.plugins.module_utils._observe import logconfig

RUNTIME_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                                           "roles", "gunicorn", "files"))
sys.path.insert(0, RUNTIME_DIR)

import asgi_deploy_runtime as runtime  # noqa: E402


@pytest.mark.parametrize("line, level", [
    ("WARNING:root:disk almost full", "WARNING"),
    ("[ERROR] no connection", "ERROR"),
    ("12:00:01 INFO job done", "INFO"),
    ("2026-12-01 12:00:01,123 - CRITICAL - out of memory", "CRITICAL"),
    ("[2026-12-01 12:00:01 +0000] [42] [WARN] slow", "WARNING"),
    ("DEBUG cache miss", "DEBUG"),
    ("12:00:00: Starting worker for 2 functions", None),
    ("INFORMATION is not a level", None),
    ("cleaned 3 rows, no ERROR", None),
    ("", None),
])
def test_line_level(line, level):
    assert runtime.line_level(line) == level


def relayed(*chunks):
    records = []
    relay = runtime.LineRelay(lambda *record: records.append(record), records.append)
    for stream, data in chunks:
        relay.feed(stream, data)
    relay.close()
    return records


TRACEBACK = (b"Traceback (most recent call last):\n  File \"job.py\", line 3, in <module>\n"
             b"    run()\nRuntimeError: broken on purpose\n")


@pytest.mark.parametrize("chunks, records", [
    ([("stdout", b"one\ntwo\n")], [("stdout", "INFO", "one"), ("stdout", "INFO", "two")]),
    # A line split across reads is one record; an unfinished last line is written at the end.
    ([("stdout", b"par"), ("stdout", b"tial\nrest")], [("stdout", "INFO", "partial"), ("stdout", "INFO", "rest")]),
    # stderr is no error by itself (logging writes there at every level).
    ([("stderr", b"12:00:00: Starting worker\n")], [("stderr", "INFO", "12:00:00: Starting worker")]),
    ([("stderr", b"ERROR:arq:job failed\n")], [("stderr", "ERROR", "ERROR:arq:job failed")]),
    ([("stderr", TRACEBACK)], [("stderr", "ERROR", TRACEBACK.decode().rstrip("\n"))]),
    # A traceback cut off by the command's end is still one record.
    ([("stderr", TRACEBACK[:60])], [("stderr", "ERROR", TRACEBACK[:60].decode().rstrip("\n"))]),
    # The command's own JSON lines keep their fields.
    ([("stdout", b'{"level": "INFO", "message": "own"}\n')], [{"level": "INFO", "message": "own"}]),
    ([("stdout", b'{"not json\n[1, 2]\n')], [("stdout", "INFO", '{"not json'), ("stdout", "INFO", "[1, 2]")]),
    ([("stdout", b"caf\xc3\xa9 \xff\r\n")], [("stdout", "INFO", "caf\u00e9 \ufffd")]),
])
def test_line_relay(chunks, records):
    assert relayed(*chunks) == records


def test_the_streams_keep_their_own_partial_lines():
    assert relayed(("stdout", b"a"), ("stderr", b"b\n"), ("stdout", b"c\n")) == [
        ("stderr", "INFO", "b"), ("stdout", "INFO", "ac")]


COMMAND = textwrap.dedent("""
    import json, signal, sys, time
    print("job started", flush=True)
    print(json.dumps({"level": "WARNING", "logger": "own", "message": "its own JSON"}), flush=True)
    sys.stderr.write("WARNING:jobs:slow\\n")
    sys.stderr.flush()
    def stop(*_):
        print("finishing the job after TERM", flush=True)
        sys.exit(3)
    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    time.sleep(30)
""")


@pytest.fixture
def slot(tmp_path):
    release = tmp_path / "releases" / "r-1"
    release.mkdir(parents=True)
    (tmp_path / "a").symlink_to(release)
    conf = tmp_path / "gunicorn.conf.py"
    conf.write_text("logconfig_dict = %s\n" % python_literal(logconfig("json")))
    return dict(os.environ, PYTHONPATH=RUNTIME_DIR, ASGI_GUNICORN_CONF=str(conf), ASGI_APP="shop", ASGI_SLOT="a",
                ASGI_SLOT_LINK=str(tmp_path / "a"))


def test_the_relay_writes_json_records_and_ends_as_the_command_did(slot):
    """TERM reaches the relay and the command alike (systemd signals the whole unit): the
    relay stays for the command's last line and exits with its status."""
    relay = subprocess.Popen([sys.executable, "-m", "asgi_deploy_runtime", "relay", sys.executable, "-c", COMMAND],
                             env=slot, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    deadline = time.monotonic() + 30
    while not lines or json.loads(lines[-1])["message"] != "ready":
        assert time.monotonic() < deadline, lines
        lines.append(relay.stderr.readline())
    os.killpg(relay.pid, signal.SIGTERM)
    lines += relay.stderr.read().splitlines()
    assert relay.wait(timeout=30) == 3
    records = [json.loads(line) for line in lines]
    # Each stream in its order; the two pipes are read as their lines come.
    assert [(r["logger"], r["level"], r["message"]) for r in records if r["logger"] != "stderr"] == [
        ("stdout", "INFO", "job started"), ("own", "WARNING", "its own JSON"), ("stdout", "INFO", "ready"),
        ("stdout", "INFO", "finishing the job after TERM")]
    assert [(r["level"], r["message"]) for r in records if r["logger"] == "stderr"] == [("WARNING", "WARNING:jobs:slow")]
    assert all((r["app"], r["release"], r["slot"]) == ("shop", "r-1", "a") for r in records)
    assert all("time" in r and r["request_id"] is None for r in records if r["logger"] != "own")


def test_a_command_killed_by_a_signal_kills_the_relay_with_it(slot):
    done = subprocess.run([sys.executable, "-m", "asgi_deploy_runtime", "relay", "/bin/sh", "-c", "kill -KILL $$"],
                          env=slot, capture_output=True, timeout=30, check=False)
    assert done.returncode == -signal.SIGKILL


def test_the_relay_needs_the_slot_configuration():
    env = dict(os.environ, PYTHONPATH=RUNTIME_DIR)
    env.pop("ASGI_GUNICORN_CONF", None)
    done = subprocess.run([sys.executable, "-m", "asgi_deploy_runtime", "relay", "true"], env=env,
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1 and "ASGI_GUNICORN_CONF" in done.stderr
