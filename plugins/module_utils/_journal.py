# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an operator reads of a failed unit's journal: `journalctl --output=cat` lines made
into entries, the newest ones kept. A JSON line (log_format json) is one record, shown as
"LEVEL logger: message" with its traceback under it; the lines one write to stderr made
(a traceback the master printed) are one entry; in plain text, an indented line belongs to
the line above. So a traceback counts as one entry and is never cut off from its cause by
the lines after it. Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# The lines of one entry shown at most: its last ones, where a traceback ends in its cause.
ENTRY_LINES = 60


def _record(line):
    """The log record of a JSON line, or None for a line that is not one."""
    if not line.startswith("{"):
        return None
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "message" in record else None


def _entries(text):
    """[(kind, [lines])] in journal order; kind is "stderr" for the lines of the logger of
    that name (they continue each other), else "record" or "text"."""
    entries = []
    for line in text.splitlines():
        record = _record(line)
        if record is None:
            if line[:1].isspace() and entries and entries[-1][0] == "text":
                entries[-1][1].append(line)
            elif line.strip():
                entries.append(("text", [line]))
            continue
        message = str(record["message"])
        if record.get("logger") == "stderr":
            if entries and entries[-1][0] == "stderr":
                entries[-1][1].append(message)
            else:
                entries.append(("stderr", [message]))
            continue
        lines = ["%s %s: %s" % (record.get("level", "INFO"), record.get("logger", "-"), message)]
        if record.get("exc_info"):
            lines += ["  " + part for part in str(record["exc_info"]).splitlines()]
        entries.append(("record", lines))
    return entries


def excerpt(text, entries=30):
    """The last `entries` entries of journal text, one line after another; an entry longer
    than ENTRY_LINES shows its last lines, after a line that says how many were left out."""
    shown = []
    for _kind, lines in _entries(text or "")[-entries:] if entries > 0 else []:
        if len(lines) > ENTRY_LINES:
            lines = ["(%d lines left out)" % (len(lines) - ENTRY_LINES)] + lines[-ENTRY_LINES:]
        shown += lines
    return "\n".join(shown)
