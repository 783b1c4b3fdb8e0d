# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The health gate of a new slot (asgi.deploy.health_gate): its health path probed on the
slot's own socket until it answers the expected status, and the slot's service watched
between the probes, so a release whose server crashes is refused at its first crash, not
after every probe has timed out. The gate loop is pure (probe, unit state, sleep and clock
given); probe() speaks HTTP/1.1 over a UNIX socket."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client as http_client
import socket

# `systemctl show` properties the verdict reads.
UNIT_PROPERTIES = ("ActiveState", "SubState", "Result", "NRestarts")
# How much of a failed answer's body the reason quotes.
BODY_EXCERPT = 200


def unit_properties(text):
    """{property: value} of `systemctl show --property=...`'s KEY=VALUE lines."""
    properties = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            properties[key.strip()] = value.strip()
    return properties


def unit_verdict(unit, properties, restarts_allowed):
    """Why the slot's service can no longer pass the gate, or None while it may: it failed,
    it stopped, or systemd restarted it (or is about to) more often than restarts_allowed."""
    active, sub = properties.get("ActiveState", ""), properties.get("SubState", "")
    result = properties.get("Result") or "unknown"
    try:
        restarts = int(properties.get("NRestarts") or 0)
    except ValueError:
        restarts = 0
    # auto-restart: the process exited and systemd waits RestartSec to start it again (as
    # "activating" or, on older systemd, "inactive").
    pending = 1 if sub == "auto-restart" else 0
    if active == "failed":
        return "%s failed (result: %s, after %d automatic restarts)" % (unit, result, restarts)
    if restarts + pending > restarts_allowed:
        return ("%s exited and was restarted by systemd (result: %s, %d automatic restarts; "
                "release_health_restarts allows %d)" % (unit, result, restarts + pending, restarts_allowed))
    if active in ("inactive", "deactivating") and not pending:
        return "%s stopped (%s, result: %s)" % (unit, active, result)
    return None


def gate(probe, unit_state, sleep, clock, retries, delay, expected_status):
    """Probe until the answer is expected_status, at most 1 + retries times, delay seconds
    apart; before each probe and after each failed one, unit_state() (None while the slot
    may still pass, else why it cannot) ends the gate at once.

    probe() -> (status or None, detail). Returns {passed, attempts, status, reason, seconds}."""
    started = clock()
    status, reason, attempts = None, None, 0

    def outcome(passed):
        return {"passed": passed, "attempts": attempts, "status": status, "reason": reason,
                "seconds": round(clock() - started, 3)}

    for attempt in range(retries + 1):
        stopped = unit_state()
        if stopped:
            reason = stopped
            return outcome(False)
        attempts = attempt + 1
        status, detail = probe()
        if status == expected_status:
            reason = None
            return outcome(True)
        reason = ("answered %d, not %d: %s" % (status, expected_status, detail) if status is not None
                  else "no answer: %s" % detail)
        stopped = unit_state()
        if stopped:
            reason = "%s; %s" % (stopped, reason)
            return outcome(False)
        if attempt < retries:
            sleep(delay)
    return outcome(False)


class UnixHTTPConnection(http_client.HTTPConnection):
    """HTTP to a UNIX socket path; the Host header is the one given to the request."""

    def __init__(self, path, timeout):
        http_client.HTTPConnection.__init__(self, "localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def probe(path, host, url_path, headers, timeout):
    """GET url_path on the UNIX socket path: (status, detail), status None when nothing
    answered (refused, timed out, cut off)."""
    connection = UnixHTTPConnection(path, timeout)
    try:
        request_headers = {"Host": host, "Connection": "close"}
        request_headers.update(headers)
        connection.request("GET", url_path, headers=request_headers)
        response = connection.getresponse()
        body = response.read(BODY_EXCERPT)
        return response.status, body.decode("utf-8", "replace").strip() or response.reason
    except socket.timeout:
        return None, "no answer within %s s" % timeout
    except (OSError, http_client.HTTPException) as error:
        return None, "%s: %s" % (type(error).__name__, error)
    finally:
        connection.close()
