# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A WSGI app is any WSGI callable: a bare function with no framework, served by a real
WSGI server (wsgiref, on 127.0.0.1) through what the gunicorn of an `interface: wsgi` app
wraps it in (asgi_deploy_runtime's hooks with interface "wsgi"): the request id reaches the
app's log context, requests are counted by status class, probes are not, and the slot's
metrics answer. In a fresh interpreter, as prometheus_client picks its mode on import."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import textwrap

import pytest

RUNTIME_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                                           "roles", "gunicorn", "files"))

SCRIPT = textwrap.dedent("""
    import json, os, sys, threading, types, urllib.error, urllib.request
    from wsgiref.simple_server import WSGIRequestHandler, make_server
    import asgi_deploy_runtime as runtime

    def application(environ, start_response):
        # A bare WSGI callable: the status from the path, the request id it saw.
        status = int(environ["PATH_INFO"].strip("/") or 200)
        body = json.dumps({"request_id": runtime.REQUEST_ID.get()}).encode()
        start_response("%d X" % status, [("Content-Type", "application/json")])
        return [body]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    on_starting, post_worker_init, worker_exit, child_exit = runtime.hooks(interface="wsgi", instrument=True)
    on_starting(None)
    worker = types.SimpleNamespace(wsgi=application, pid=os.getpid())
    post_worker_init(worker)
    server = make_server("127.0.0.1", 0, worker.wsgi, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_port

    def get(path, headers=None):
        request = urllib.request.Request(base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    answers = [get(path, {"X-Request-ID": "req-%d" % n}) for n, path in enumerate(["/", "/", "/204", "/404", "/503"])]
    get("/", {"X-Asgi-Deploy-Probe": "gate"})
    metrics = get(runtime.METRICS_PATH)
    server.shutdown()
    json.dump({"answers": answers, "metrics": metrics}, sys.stdout)
""")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    pytest.importorskip("prometheus_client")
    root = tmp_path_factory.mktemp("slot")
    os.makedirs(str(root / "releases" / "r-1"))
    os.makedirs(str(root / "slots"))
    os.symlink("../releases/r-1", str(root / "slots" / "a"))
    (root / "metrics").mkdir()
    env = dict(os.environ, PYTHONPATH=RUNTIME_DIR, PROMETHEUS_MULTIPROC_DIR=str(root / "metrics"),
               ASGI_APP="plain", ASGI_SLOT="a", ASGI_SLOT_LINK=str(root / "slots" / "a"))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_bare_callable_answers_through_the_middleware(served):
    assert [status for status, body in served["answers"]] == [200, 200, 204, 404, 503]


def test_the_app_sees_the_request_id_nginx_sent(served):
    assert [json.loads(body)["request_id"] for status, body in served["answers"] if body] == \
        ["req-0", "req-1", "req-3", "req-4"]


@pytest.mark.parametrize("status_class,count", [("2xx", 3.0), ("4xx", 1.0), ("5xx", 1.0)])
def test_requests_are_counted_by_status_class_and_probes_are_not(served, status_class, count):
    status, metrics = served["metrics"]
    assert status == 200
    line = 'asgi_http_requests_total{app="plain",release="r-1",status="%s"} %s' % (status_class, count)
    assert line in metrics.splitlines(), metrics
