# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.health_gate: a slot passes when its health path answers the status; it is
refused at once when its service crashed, and after the last probe when it never answers.
The probe over a real UNIX socket: tests/unit/plugins/modules/test_health_gate.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._health import gate, unit_properties, unit_verdict

UNIT = "asgi-shop@b.service"
RUNNING = {"ActiveState": "active", "SubState": "running", "Result": "success", "NRestarts": "0"}
STARTING = {"ActiveState": "activating", "SubState": "start", "Result": "success", "NRestarts": "0"}


def test_systemctl_show_lines_read_as_properties():
    text = "ActiveState=activating\nSubState=auto-restart\nResult=exit-code\nNRestarts=2\n\nnot a property\n"
    assert unit_properties(text) == {"ActiveState": "activating", "SubState": "auto-restart",
                                     "Result": "exit-code", "NRestarts": "2"}


@pytest.mark.parametrize("properties, allowed, verdict", [
    (RUNNING, 0, None),
    (STARTING, 0, None),
    # Exited, and systemd waits RestartSec before it starts it again: the first crash.
    (dict(STARTING, SubState="auto-restart", Result="exit-code"), 0,
     "asgi-shop@b.service exited and was restarted by systemd (result: exit-code, 1 automatic restarts; "
     "release_health_restarts allows 0)"),
    (dict(STARTING, SubState="auto-restart", Result="exit-code"), 1, None),
    # Older systemd says "inactive" while a restart is pending: a crash, not a stop.
    (dict(STARTING, ActiveState="inactive", SubState="auto-restart", Result="exit-code"), 0,
     "asgi-shop@b.service exited and was restarted by systemd (result: exit-code, 1 automatic restarts"),
    (dict(STARTING, ActiveState="inactive", SubState="auto-restart", Result="exit-code"), 1, None),
    (dict(RUNNING, NRestarts="1"), 1, None),
    (dict(RUNNING, NRestarts="2"), 1, "2 automatic restarts; release_health_restarts allows 1"),
    # systemd gave up (StartLimitBurst) or the process was killed for good.
    (dict(RUNNING, ActiveState="failed", SubState="failed", Result="start-limit-hit", NRestarts="5"), 9,
     "asgi-shop@b.service failed (result: start-limit-hit, after 5 automatic restarts)"),
    (dict(RUNNING, ActiveState="inactive", SubState="dead", Result="success"), 0,
     "asgi-shop@b.service stopped (inactive, result: success)"),
    (dict(RUNNING, ActiveState="deactivating", SubState="stop-sigterm"), 0, "stopped (deactivating"),
    # What systemd does not say is no reason to refuse.
    ({}, 0, None),
    (dict(RUNNING, NRestarts="[not set]"), 0, None),
])
def test_the_verdict_on_the_slots_service(properties, allowed, verdict):
    found = unit_verdict(UNIT, properties, allowed)
    if verdict is None:
        assert found is None
    else:
        assert verdict in found


class Clock(object):
    """sleep() advances now(); probes and unit states come from lists, one per call."""

    def __init__(self, answers, states):
        self.now, self.answers, self.states, self.slept = 0.0, list(answers), list(states), []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now

    def probe(self):
        self.now += 0.5
        return self.answers.pop(0)

    def unit_state(self):
        return self.states.pop(0) if self.states else None


def run(answers, states=(), retries=3, delay=1.0):
    clock = Clock(answers, states)
    result = gate(clock.probe, clock.unit_state, clock.sleep, clock.clock, retries, delay, 200)
    return result, clock


@pytest.mark.parametrize("answers, states, expected", [
    # Healthy at the first probe; no sleep.
    ([(200, "ok")], [], {"passed": True, "attempts": 1, "status": 200, "reason": None, "seconds": 0.5}),
    # Booting: refused, then 503, then healthy.
    ([(None, "ConnectionRefusedError: [Errno 111]"), (503, "starting"), (200, "ok")], [],
     {"passed": True, "attempts": 3, "status": 200, "reason": None, "seconds": 3.5}),
    # Never healthy: every probe made, the last one's answer is the reason.
    ([(500, "boom")] * 4, [],
     {"passed": False, "attempts": 4, "status": 500, "reason": "answered 500, not 200: boom", "seconds": 5.0}),
    ([(None, "no answer within 5 s")] * 4, [],
     {"passed": False, "attempts": 4, "status": None, "reason": "no answer: no answer within 5 s", "seconds": 5.0}),
    # The service crashed during the first probe: refused after it, whatever retries remain.
    ([(None, "no answer within 5 s")], [None, "asgi-shop@b.service exited"],
     {"passed": False, "attempts": 1, "status": None,
      "reason": "asgi-shop@b.service exited; no answer: no answer within 5 s", "seconds": 0.5}),
    # Already failed before the first probe: no probe at all.
    ([], ["asgi-shop@b.service failed"],
     {"passed": False, "attempts": 0, "status": None, "reason": "asgi-shop@b.service failed", "seconds": 0.0}),
])
def test_the_gate(answers, states, expected):
    result, clock = run(answers, states)
    assert result == expected
    # Every answer given was used, and the gate sleeps between probes only.
    assert clock.answers == []
    assert clock.slept == [1.0] * max(expected["attempts"] - 1, 0)


def test_no_retries_means_one_probe_and_no_sleep():
    result, clock = run([(503, "starting")], retries=0)
    assert (result["passed"], result["attempts"], clock.slept) == (False, 1, [])
