"""Every method and every kind of connection across a release switch: a deploy and a
rollback, each under a load of GET, POST and PUT requests with server-sent event streams
and WebSockets held open, fail no request, close every long-lived connection cleanly
after the drain time, and let each client that reconnects reach the new release."""

import json
import os
import tempfile

import pytest

from asgi_load import CLEAN_CLOSE_CODES, MIXED, under_load
from asgi_probe import https_json, playbook_recap

SERVER_NAME = "hello.example.test"
LOAD_SECONDS = 20
STREAMS = WEBSOCKETS = 2


@pytest.fixture(scope="module")
def apps(host):
    return host.ansible.get_variables()["asgi_apps"]


def deploy(apps, wheel):
    changed = [dict(app, source={"type": "wheel", "path": os.environ[wheel]}) for app in apps]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"asgi_apps": changed}, extra)
    return playbook_recap("asgi.deploy.deploy", "-e", "@" + extra.name)


def switch_under_mixed_load(https_port, ca_pem, action):
    return under_load(SERVER_NAME, https_port, ca_pem, action, min_seconds=LOAD_SECONDS,
                      methods=MIXED, streams=STREAMS, websockets=WEBSOCKETS)


def assert_every_connection_survived(load, old, new):
    assert load.failures == []
    # Every method was really sent, and served by both releases.
    assert min(load.by_method[method] for method in MIXED) > 100, load.by_method
    assert load.versions[old] > 0 and load.versions[new] > 0
    long_lived = load.long_lived
    assert long_lived.errors == []
    # Each long-lived connection the old release held was ended by it, cleanly, and its
    # client reconnected to the new release.
    ended = [(end.kind, end.version, end.end, end.after) for end in long_lived.ended]
    expected_ends = {"sse": ("clean",), "websocket": CLEAN_CLOSE_CODES}
    assert len(ended) == STREAMS + WEBSOCKETS, long_lived.summary()
    for kind, version, end, after in ended:
        assert (version, after) == (old, new), long_lived.summary()
        assert end in expected_ends[kind], long_lived.summary()


def test_deploy_keeps_every_method_and_connection(https_port, ca_pem, apps):
    assert https_json(SERVER_NAME, https_port, ca_pem)["version"] == "1.0.0"
    load, (code, output) = switch_under_mixed_load(
        https_port, ca_pem, lambda: deploy(apps, "ASGI_EXAMPLE_WHEEL_V2"))
    assert code == 0, output[-3000:]
    assert_every_connection_survived(load, "1.0.0", "2.0.0")


def test_rollback_keeps_every_method_and_connection(https_port, ca_pem):
    load, (code, output) = switch_under_mixed_load(
        https_port, ca_pem, lambda: playbook_recap("asgi.deploy.rollback"))
    assert code == 0, output[-3000:]
    assert_every_connection_survived(load, "2.0.0", "1.0.0")
