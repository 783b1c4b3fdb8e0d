"""The module on a lock file in a temporary directory: take, wait, take over, give back."""

import json
import os
import time

from ansible_collections.asgi.deploy.plugins.modules import deploy_lock

ME = {"host": "ctl", "pid": 100, "started": "boot:500", "user": "ops", "since": time.time()}
OTHER = dict(ME, pid=200, started="boot:600")


def lock(run_main, path, holder=None, **args):
    return run_main(deploy_lock.main, dict({"path": path, "holder": holder or ME, "wait": 0}, **args))


def test_a_free_lock_is_taken_and_names_its_holder(run_main, tmp_path):
    path = str(tmp_path / "locks" / "shop.lock")
    failed, result = lock(run_main, path)
    assert not failed and result["acquired"] and not result["changed"]
    with open(path) as handle:
        assert json.load(handle)["pid"] == 100


def test_a_held_lock_is_not_taken(run_main, tmp_path):
    path = str(tmp_path / "shop.lock")
    lock(run_main, path, OTHER)
    started = time.monotonic()
    failed, result = lock(run_main, path, wait=1)
    assert not result["acquired"]
    assert result["holder"]["pid"] == 200
    assert time.monotonic() - started >= 1


def test_the_holder_takes_it_again(run_main, tmp_path):
    path = str(tmp_path / "shop.lock")
    lock(run_main, path)
    assert lock(run_main, path)[1]["acquired"]


def test_a_gone_holder_named_as_expected_is_taken_over(run_main, tmp_path):
    path = str(tmp_path / "shop.lock")
    lock(run_main, path, OTHER)
    failed, result = lock(run_main, path, expect=OTHER)
    assert result["acquired"]
    assert result["took_over"]["pid"] == 200


def test_an_expired_lock_is_taken_over(run_main, tmp_path):
    path = str(tmp_path / "shop.lock")
    lock(run_main, path, dict(OTHER, host="elsewhere", since=time.time() - 100))
    assert not lock(run_main, path, expire=1000)[1]["acquired"]
    assert lock(run_main, path, expire=10)[1]["acquired"]


def test_only_the_holder_gives_it_back(run_main, tmp_path):
    path = str(tmp_path / "shop.lock")
    lock(run_main, path, OTHER)
    assert lock(run_main, path, state="released")[1]["holder"]["pid"] == 200
    assert os.path.exists(path)
    lock(run_main, path, OTHER, state="released")
    assert not os.path.exists(path)


def test_giving_back_a_lock_never_taken_creates_nothing(run_main, tmp_path):
    path = str(tmp_path / "locks" / "shop.lock")
    failed, result = lock(run_main, path, state="released")
    assert not failed and result["holder"] is None
    assert not os.path.exists(str(tmp_path / "locks"))
