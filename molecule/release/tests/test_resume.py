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

from asgi_load import MIXED, under_load
from asgi_probe import changed_count, https_json, playbook_process, playbook_recap
from test_release import SERVER_NAME, wheel_source

# The steps release_stop_after can stop a run after, in the order of the switch.
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


def test_check_mode_reports_a_release_not_built_yet_and_changes_nothing(host, https_port, ca_pem, apps):
    before_version, before_release = version(https_port, ca_pem), live_release(host)
    releases = host.check_output("ls /srv/hello/releases")
    extra = {"asgi_apps": [dict(app, source=wheel_source(WHEELS[other(before_version)])) for app in apps]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra_file:
        json.dump(extra, extra_file)
    code, output = playbook_recap("asgi.deploy.deploy", "--check", "-e", "@" + extra_file.name)
    assert code == 0, output[-3000:]
    assert changed_count(output) > 0
    assert (version(https_port, ca_pem), live_release(host)) == (before_version, before_release)
    assert host.check_output("ls /srv/hello/releases") == releases


def test_deploys_stopped_after_each_step_are_completed_by_the_next(host, https_port, ca_pem, apps):
    """A chain under one load: five runs towards the other release, each stopped one step
    further (the last after the swap, which it leaves unrecorded), a run back that records
    that swap, switches and stops after its own commit, and the run that completes it."""
    start_version = version(https_port, ca_pem)
    there, back = wheel_source(WHEELS[other(start_version)]), wheel_source(WHEELS[start_version])
    stopped = []

    def chain():
        for step in STEPS[:-1]:
            stopped.append((step, deploy(apps, {"release_stop_after": step}, source=there)))
        stopped.append(("commit", deploy(apps, {"release_stop_after": "commit"}, source=back)))
        return deploy(apps, source=back)

    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem, chain, methods=MIXED)
    for step, (stopped_code, stopped_output) in stopped:
        assert stopped_code != 0 and "Stopped after the step %s" % step in stopped_output, stopped_output[-2000:]
    assert code == 0, output[-3000:]
    assert load.failures == []
    assert load.versions[other(start_version)] > 0
    assert version(https_port, ca_pem) == start_version
    # previous: the release the stopped runs switched to, which served until the run back.
    idle = "b" if link_name(host, "/srv/hello/current") == "a" else "a"
    served_between = link_name(host, "/srv/hello/slots/" + idle)
    assert other(start_version) in host.file("/srv/hello/releases/%s/release.json" % served_between).content_string
    assert_converged(host, served_between)


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

    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem, killed_then_completed, methods=MIXED)
    assert code == 0, output[-3000:]
    assert "took over the deploy lock" in output
    assert load.failures == []
    assert version(https_port, ca_pem) == target
    assert_converged(host, before_release)
    assert not host.file("/run/asgi-deploy/locks/hello.lock").exists


def test_rollback_then_goes_back_exactly_one_release(host, https_port, ca_pem):
    live_before, previous = live_release(host), link_name(host, "/srv/hello/previous")
    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem, lambda: playbook("rollback", {}), methods=MIXED)
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
