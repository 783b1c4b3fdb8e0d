# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.health_gate as the release role runs it: one call that passes a healthy
slot and refuses a crashed one without waiting out its probes; its probe over a real UNIX
socket."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import os
import socket
import threading
import time

import pytest

from ansible.module_utils import basic

from ansible_collections.asgi.deploy.plugins.module_utils._health import probe
from ansible_collections.asgi.deploy.plugins.modules import health_gate


class Server(object):
    """A UNIX socket that answers each connection with the given bytes (or nothing), and
    keeps the request it read."""

    def __init__(self, path, answer):
        self.path, self.answer, self.requests = path, answer, []
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(4)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        connection = self.listener.accept()[0]
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.requests.append(data.decode())
            if self.answer is not None:
                connection.sendall(self.answer)
                return
            # No answer: hold the connection until the client gives up.
            connection.recv(1)

    def close(self):
        self.listener.close()


@pytest.fixture
def run_module(run_main):
    return functools.partial(run_main, health_gate.main)


@pytest.fixture
def socket_path():
    # AF_UNIX paths are short; pytest's tmp_path may be too long for one.
    path = "/tmp/asgi-health-gate-%d.sock" % os.getpid()
    yield path
    if os.path.exists(path):
        os.unlink(path)


@pytest.fixture
def systemctl_show(monkeypatch):
    """The unit's `systemctl show` output the module reads, and the commands it ran."""
    state = {"out": "ActiveState=active\nSubState=running\nResult=success\nNRestarts=0\n", "commands": []}

    def run_command(module, argv, **kwargs):
        state["commands"].append(argv)
        return 0, state["out"], ""

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda module, name, required=False: "/bin/" + name)
    return state


def test_probe_sends_the_host_and_probe_header_and_reads_the_status(socket_path):
    server = Server(socket_path, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    try:
        assert probe(socket_path, "shop.example.com", "/healthz?deep=1", {"X-Asgi-Deploy-Probe": "gate"}, 5) == (200, "ok")
    finally:
        server.close()
    request = server.requests[0]
    assert request.startswith("GET /healthz?deep=1 HTTP/1.1\r\n")
    assert "\r\nHost: shop.example.com\r\n" in request
    assert "\r\nX-Asgi-Deploy-Probe: gate\r\n" in request


def test_probe_quotes_a_failing_answers_body(socket_path):
    body = b"database unreachable" + b"x" * 500
    server = Server(socket_path, b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    try:
        status, detail = probe(socket_path, "shop", "/healthz", {}, 5)
    finally:
        server.close()
    assert status == 503
    assert detail.startswith("database unreachable") and len(detail) == 200


def test_probe_without_a_server_or_an_answer_gets_no_status(socket_path):
    status, detail = probe(socket_path, "shop", "/healthz", {}, 5)
    assert status is None and ("FileNotFoundError" in detail or "ConnectionRefusedError" in detail)
    server = Server(socket_path, None)
    try:
        assert probe(socket_path, "shop", "/healthz", {}, 0.3) == (None, "no answer within 0.3 s")
    finally:
        server.close()


def test_a_healthy_slot_passes_at_its_first_probe(run_module, socket_path, systemctl_show):
    server = Server(socket_path, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    try:
        failed, result = run_module({"socket": socket_path, "host": "shop.example.com", "unit": "asgi-shop@b.service"})
    finally:
        server.close()
    assert not failed, result
    assert (result["changed"], result["status"], result["attempts"], result["reason"]) == (False, 200, 1, None)
    assert "X-Asgi-Deploy-Probe: gate" in server.requests[0]
    assert systemctl_show["commands"][0] == [
        "/bin/systemctl", "show", "--property=ActiveState,SubState,Result,NRestarts", "--", "asgi-shop@b.service"]


def test_a_crashed_slot_is_refused_at_once_naming_why(run_module, socket_path, systemctl_show):
    systemctl_show["out"] = "ActiveState=activating\nSubState=auto-restart\nResult=exit-code\nNRestarts=0\n"
    started = time.monotonic()
    failed, result = run_module({"socket": socket_path, "unit": "asgi-shop@b.service", "retries": 20, "delay": 1})
    assert failed
    assert time.monotonic() - started < 1
    assert result["attempts"] == 0
    assert result["msg"] == (
        "asgi-shop@b.service did not pass its health check on /healthz (0 probes in 0.0 s): asgi-shop@b.service "
        "exited and was restarted by systemd (result: exit-code, 1 automatic restarts; release_health_restarts allows 0)")


def test_a_slot_that_never_answers_fails_after_its_last_probe(run_module, socket_path):
    failed, result = run_module({"socket": socket_path, "retries": 2, "delay": 0.01})
    assert failed
    assert result["attempts"] == 3
    assert result["reason"].startswith("no answer: FileNotFoundError")
    assert result["msg"].startswith("%s did not pass its health check on /healthz (3 probes in" % socket_path)


def test_a_path_without_its_slash_is_refused(run_module, socket_path):
    failed, result = run_module({"socket": socket_path, "path": "healthz"})
    assert failed and result["msg"] == "path must start with /: 'healthz'"
