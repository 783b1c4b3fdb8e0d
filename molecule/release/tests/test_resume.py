"""Deploys stopped at each step of the switch, and one killed, each completed by the next
run under a load from this machine: zero failed requests, one slot serving and the other
stopped and disabled, `current` and `previous` right, and a rollback one release back.
Runs after test_release.py, from its end state: 1.0.0 live."""

import json
import os
import signal
import tempfile
import time

import pytest

from asgi_load import under_load
from asgi_probe import https_json, playbook_process, playbook_recap
from test_release import SERVER_NAME, wheel_source

# The steps release_stop_after can stop a run after, in the order of the switch; each run
# deploys the release that is not live, so every step is stopped on the way to a switch.
STEPS = ["link", "configure", "start", "probe", "swap", "commit"]
WHEELS = {"1.0.0": "ASGI_EXAMPLE_WHEEL", "2.0.0": "ASGI_EXAMPLE_WHEEL_V2"}


@pytest.fixture(scope="module")
def apps(host):
    return host.ansible.get_variables()["asgi_apps"]


def version(https_port, ca_pem):
    return https_json(SERVER_NAME, https_port, ca_pem)["version"]


def link_name(host, path):
    return os.path.basename(host.check_output("readlink %s" % path))


def live_release(host):
    return os.path.basename(host.check_output("readlink -f /srv/hello/current"))


def assert_converged(host, previous_release):
    """One slot serves, recorded as current; the other is stopped and not started at boot."""
    live_socket = host.check_output("readlink /srv/hello/live.sock")
    live = link_name(host, "/srv/hello/current")
    assert live_socket == "/run/asgi-deploy/hello-%s.sock" % live
    idle = "b" if live == "a" else "a"
    assert host.service("asgi-hello@%s.service" % live).is_running
    assert host.service("asgi-hello@%s.service" % live).is_enabled
    assert not host.service("asgi-hello@%s.service" % idle).is_running
    assert not host.service("asgi-hello@%s.service" % idle).is_enabled
    assert not host.service("asgi-hello@%s.socket" % idle).is_enabled
    assert link_name(host, "/srv/hello/previous") == previous_release
    assert host.file("/srv/hello/releases/%s/release.json" % previous_release).exists


def other(version_string):
    return "2.0.0" if version_string == "1.0.0" else "1.0.0"


@pytest.mark.parametrize("step", STEPS)
def test_a_deploy_stopped_after_a_step_is_completed_by_the_next(host, https_port, ca_pem, apps, step):
    before_version, before_release = version(https_port, ca_pem), live_release(host)
    target = other(before_version)
    source = wheel_source(WHEELS[target])

    def stopped_then_completed():
        stopped = deploy(apps, {"release_stop_after": step}, source=source)
        return stopped, deploy(apps, source=source)

    load, ((stopped_code, stopped_output), (code, output)) = under_load(
        SERVER_NAME, https_port, ca_pem, stopped_then_completed)
    assert stopped_code != 0 and "Stopped after the step %s" % step in stopped_output, stopped_output[-2000:]
    assert code == 0, output[-3000:]
    assert load.failures == []
    assert version(https_port, ca_pem) == target
    assert_converged(host, before_release)


def test_a_killed_deploy_leaves_no_lock_and_is_completed_by_the_next(host, https_port, ca_pem, apps):
    before_release = live_release(host)
    target = other(version(https_port, ca_pem))
    candidate = "b" if link_name(host, "/srv/hello/current") == "a" else "a"

    def killed_then_completed():
        # The first run is killed while its candidate slot starts: the switch is half-done.
        runner = deploy(apps, background=True, source=wheel_source(WHEELS[target]))
        deadline = time.monotonic() + 240
        while host.run("systemctl is-active asgi-hello@%s.service" % candidate).stdout.strip() != "active":
            assert runner.poll() is None, "the deploy ended before its candidate started"
            assert time.monotonic() < deadline, "the candidate never started"
            time.sleep(0.5)
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()
        assert host.file("/run/asgi-deploy/locks/hello.lock").exists
        return deploy(apps, source=wheel_source(WHEELS[target]))

    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem, killed_then_completed)
    assert code == 0, output[-3000:]
    assert "took over the deploy lock" in output
    assert load.failures == []
    assert version(https_port, ca_pem) == target
    assert_converged(host, before_release)
    assert not host.file("/run/asgi-deploy/locks/hello.lock").exists


def test_rollback_then_goes_back_exactly_one_release(host, https_port, ca_pem):
    live_before, previous = live_release(host), link_name(host, "/srv/hello/previous")
    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem, lambda: playbook("rollback", {}))
    assert code == 0, output[-3000:]
    assert load.failures == []
    assert live_release(host) == previous
    # previous now names the release the rollback left: a second rollback undoes it.
    assert_converged(host, live_before)


def test_a_second_run_waits_for_the_lock_and_names_its_holder(host, apps):
    runner = deploy(apps, background=True)
    deadline = time.monotonic() + 120
    while not host.file("/run/asgi-deploy/locks/hello.lock").exists:
        assert time.monotonic() < deadline and runner.poll() is None, "the first run never took the lock"
        time.sleep(0.2)
    code, output = deploy(apps, {"asgi_lock_wait": 1})
    runner.wait(timeout=600)
    assert code != 0
    assert "is held by another run" in output
    assert "PID %d" % runner.pid in output


def deploy(apps, extra=None, background=False, **overrides):
    """asgi.deploy.deploy with the apps' keys replaced by `overrides` and play variables `extra`."""
    return playbook("deploy", dict(extra or {}, asgi_apps=[dict(app, **overrides) for app in apps]), background)


def playbook(name, extra, background=False):
    """asgi.deploy.<name> with the play variables `extra`: (exit code, output), or the
    process running it in the background."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra_file:
        json.dump(extra, extra_file)
    run = playbook_process if background else playbook_recap
    return run("asgi.deploy." + name, "-e", "@" + extra_file.name)
