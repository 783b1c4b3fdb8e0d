"""What a run does about an app's deploy lock, for every holder it can find."""

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._lock import (
    ACQUIRE, REENTER, TAKE_OVER, WAIT, decide, describe, same_holder)

NOW = 1_000_000.0
EXPIRE = 3600
ME = {"host": "ctl", "pid": 100, "started": "boot:500", "user": "ops", "since": NOW}


def holder(**changes):
    return dict(dict(ME, since=NOW - 60), **changes)


@pytest.mark.parametrize("held_by, alive, expected", [
    (None, True, ACQUIRE),
    ({}, True, ACQUIRE),
    (holder(), True, REENTER),
    (holder(pid=200), True, WAIT),
    (holder(pid=200), False, TAKE_OVER),
    # The same PID, started at another time: a reused PID, not the holder.
    (holder(started="boot:900"), True, WAIT),
    (holder(started="boot:900"), False, TAKE_OVER),
    # Another controller's process cannot be seen from here: only its age frees it.
    (holder(host="other", pid=200), False, WAIT),
    (holder(host="other", pid=200, since=NOW - EXPIRE - 1), True, TAKE_OVER),
    (holder(pid=200, since=NOW - EXPIRE - 1), True, TAKE_OVER),
], ids=["free", "empty", "mine", "held", "holder-gone", "reused-pid", "reused-pid-gone", "other-controller",
        "other-controller-expired", "expired"])
def test_decide(held_by, alive, expected):
    assert decide(held_by, ME, NOW, lambda found: alive, EXPIRE) == expected


def test_same_holder_needs_host_pid_and_start():
    assert same_holder(ME, dict(ME, since=0, user="other"))
    for key in ("host", "pid", "started"):
        assert not same_holder(ME, dict(ME, **{key: "x"}))
    assert not same_holder(None, ME)


def test_describe_names_the_holder():
    text = describe(dict(ME, since=0))
    assert text == "ops on ctl (PID 100, since 1970-01-01T00:00:00Z)"
