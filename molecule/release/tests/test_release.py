"""Release switches under a load from this machine: a new release, a broken one, a failing
pre-activate command and a rollback, each with zero failed requests. The deploy and the
rollback run under GET, POST and PUT requests with server-sent event streams and
WebSockets held open: every long-lived connection the old release held is closed cleanly
after the drain time, and its client reconnects to the new release."""

import json
import os
import re
import tempfile
import time

import pytest

from asgi_load import CLEAN_CLOSE_CODES, MIXED, under_load
from asgi_probe import https_json, playbook_recap

SERVER_NAME = "hello.example.test"
# The bar: a load of at least 20 s around each switch.
MIN_LOAD_SECONDS = 20
# A switch may slow requests down, never by more than this.
P99_BOUND_SECONDS = 2.0
# Long-lived connections held open across the deploy and the rollback.
STREAMS = WEBSOCKETS = 2
# The release role's default, which the scenario keeps.
RELEASE_HEALTH_RETRIES = 20


@pytest.fixture(scope="module")
def apps(host):
    return host.ansible.get_variables()["asgi_apps"]


def version(https_port, ca_pem):
    return https_json(SERVER_NAME, https_port, ca_pem)["version"]


def run_playbook(name, apps=None, **overrides):
    """asgi.deploy.<name> against the scenario's host; app keys replaced by `overrides`."""
    args = []
    if apps is not None:
        changed = [dict(app, **overrides) for app in apps]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
            json.dump({"asgi_apps": changed}, extra)
        args = ["-e", "@" + extra.name]
    return playbook_recap("asgi.deploy." + name, *args)


def switch_under_load(https_port, ca_pem, action, long_lived=False):
    """Run `action` a few seconds into a load that lasts at least MIN_LOAD_SECONDS; with
    `long_lived`, event streams and WebSockets are held open beside the requests."""
    streams, websockets = (STREAMS, WEBSOCKETS) if long_lived else (0, 0)
    return under_load(SERVER_NAME, https_port, ca_pem, action, min_seconds=MIN_LOAD_SECONDS, methods=MIXED,
                      streams=streams, websockets=websockets)


def assert_every_request_and_connection_survived(load, old, new):
    assert load.failures == []
    # Every method was really sent, and served by both releases.
    assert min(load.by_method[method] for method in MIXED) > 100, load.by_method
    assert load.versions[old] > 0 and load.versions[new] > 0
    assert load.percentile(0.99) < P99_BOUND_SECONDS
    long_lived = load.long_lived
    assert long_lived.errors == []
    # Each long-lived connection the old release held was ended by it, cleanly, and its
    # client reconnected to the new release.
    ended = [(end.kind, end.version, end.end, end.after) for end in long_lived.ended]
    expected_ends = {"sse": ("clean",), "websocket": CLEAN_CLOSE_CODES}
    assert len(ended) == STREAMS + WEBSOCKETS, long_lived.summary()
    for kind, served, end, after in ended:
        assert (served, after) == (old, new), long_lived.summary()
        assert end in expected_ends[kind], long_lived.summary()


def wheel_source(variable):
    return {"type": "wheel", "path": os.environ[variable]}


def live_slot(host):
    return host.run("readlink /srv/hello/current").stdout.strip().rsplit("/", 1)[-1]


def test_first_release_serves_and_ran_its_pre_activate_command(host, https_port, ca_pem):
    assert version(https_port, ca_pem) == "1.0.0"
    marker = host.file("/srv/hello/shared/pre-activate-ran")
    assert marker.user == "hello"
    assert marker.content_string.strip() == "hello"


def test_new_release_switches_with_zero_failed_requests(host, https_port, ca_pem, apps):
    before = live_slot(host)
    load, (code, output) = switch_under_load(
        https_port, ca_pem, lambda: run_playbook("deploy", apps, source=wheel_source("ASGI_EXAMPLE_WHEEL_V2")),
        long_lived=True)
    assert code == 0, output[-3000:]
    assert_every_request_and_connection_survived(load, "1.0.0", "2.0.0")
    assert version(https_port, ca_pem) == "2.0.0"
    after = live_slot(host)
    assert after != before
    assert not host.service("asgi-hello@%s.service" % before).is_running
    assert host.service("asgi-hello@%s.service" % after).is_enabled


def drains(output):
    """What each drain of an old slot reported in a playbook's -v output: {"seconds", "open"}."""
    return [json.loads(found) for found in re.findall(r'"drain": (\{[^{}]*\})', output)]


def test_an_old_slot_with_no_client_left_stops_without_waiting_out_the_drain_time(host, https_port, ca_pem, apps):
    """With no client, the old slot stops once nginx's kept-alive connections to it are
    gone (2 s at most), not after release_drain_seconds: a rollback and a deploy back, each
    with a drain time longer than the whole run."""
    drain_time = 300
    for name, wanted, overrides in [("rollback", "1.0.0", None), ("deploy", "2.0.0", apps)]:
        before = live_slot(host)
        args = ["-v", "-e", "release_drain_seconds=%d" % drain_time]
        if overrides is not None:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
                json.dump({"asgi_apps": [dict(app, source=wheel_source("ASGI_EXAMPLE_WHEEL_V2")) for app in apps]}, extra)
            args += ["-e", "@" + extra.name]
        started = time.monotonic()
        code, output = playbook_recap("asgi.deploy." + name, *args)
        took = time.monotonic() - started
        assert code == 0, output[-3000:]
        assert version(https_port, ca_pem) == wanted
        assert live_slot(host) != before
        assert not host.service("asgi-hello@%s.service" % before).is_running
        # Every units call reports its drain; the old slot's is the one that could wait.
        reported = drains(output)
        assert reported and all(drain["open"] == 0 and drain["seconds"] < 10 for drain in reported), reported
        assert took < drain_time


def test_broken_release_is_refused_and_the_live_one_keeps_serving(host, https_port, ca_pem, apps):
    slot = live_slot(host)
    load, (code, output) = switch_under_load(
        https_port, ca_pem, lambda: run_playbook("deploy", apps, source=wheel_source("ASGI_EXAMPLE_WHEEL_BROKEN")))
    assert code != 0
    assert "was not activated" in output
    # The gate refused it on its service's state, not after its 1 + release_health_retries
    # probes had timed out. How many probes that took depends on how fast the host starts
    # (and crashes) gunicorn.
    gate = re.search(r"did not pass its health check on /healthz \((\d+) probes in [\d.]+ s\): (\S+) "
                     r"(?:exited and was restarted by systemd|failed|stopped) \(", output)
    assert gate, output[-3000:]
    assert int(gate.group(1)) < 1 + RELEASE_HEALTH_RETRIES
    assert gate.group(2) == "asgi-hello@%s.service" % ("b" if slot == "a" else "a")
    # The failed slot's own journal lines say why.
    assert "broken on purpose" in output
    assert load.failures == []
    assert dict(load.versions).keys() == {"2.0.0"}
    assert version(https_port, ca_pem) == "2.0.0"
    assert live_slot(host) == slot
    idle = "b" if slot == "a" else "a"
    assert not host.service("asgi-hello@%s.service" % idle).is_running


def test_failing_pre_activate_command_keeps_the_live_release(host, https_port, ca_pem, apps):
    code, output = run_playbook("deploy", apps, source=wheel_source("ASGI_EXAMPLE_WHEEL_BROKEN"),
                                pre_activate="echo migration-failed >&2; exit 3")
    assert code != 0
    assert "migration-failed" in output
    assert version(https_port, ca_pem) == "2.0.0"


def test_rollback_returns_to_the_previous_release_with_zero_failed_requests(host, https_port, ca_pem):
    load, (code, output) = switch_under_load(https_port, ca_pem, lambda: run_playbook("rollback"), long_lived=True)
    assert code == 0, output[-3000:]
    assert_every_request_and_connection_survived(load, "2.0.0", "1.0.0")
    assert version(https_port, ca_pem) == "1.0.0"
