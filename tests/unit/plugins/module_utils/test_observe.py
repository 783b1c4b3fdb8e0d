# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logging configuration of an app's gunicorn, run for real through logging.config
with the runtime module's ContextFilter: one JSON object per line with the stable fields."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import json
import logging
import logging.config
import os
import sys

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._observe import (
    FIELDS,
    LogConfigError,
    interface,
    logconfig,
    network_errors,
)

RUNTIME_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "gunicorn", "files")


@pytest.mark.parametrize("worker_class, expected", [
    ("uvicorn_worker.UvicornWorker", "asgi"),
    ("uvicorn.workers.UvicornWorker", "asgi"),
    ("asgi", "asgi"),
    ("sync", "wsgi"),
    ("gthread", "wsgi"),
])
def test_interface(worker_class, expected):
    assert interface(worker_class) == expected


@pytest.mark.parametrize("networks, problems", [
    ([], 0),
    (["10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1"], 0),
    (["10.0.0.0/33"], 1),
    (["prometheus.example.com", "10.1.2.3"], 1),
    ([" 10.0.0.1"], 1),
    ([None, 7], 2),
    ("10.0.0.0/8", 1),
])
def test_network_errors(networks, problems):
    assert len(network_errors(networks)) == problems


def test_an_unknown_log_format_fails():
    with pytest.raises(LogConfigError, match="logfmt"):
        logconfig("logfmt")


@pytest.mark.parametrize("access_log, handlers, level", [(True, ["journal"], "INFO"), (False, [], "WARNING")])
def test_access_lines_follow_the_access_log(access_log, handlers, level):
    access = logconfig("json", access_log=access_log)["loggers"]["gunicorn.access"]
    assert access["handlers"] == handlers and access["level"] == level and access["propagate"] is False


def test_gunicorn_error_takes_the_level():
    assert logconfig("text", level="warning")["loggers"]["gunicorn.error"]["level"] == "WARNING"


@pytest.fixture
def slot(tmp_path, monkeypatch):
    """The environment a slot's unit sets, with its link to a release."""
    (tmp_path / "releases" / "r-0123abcd").mkdir(parents=True)
    (tmp_path / "slots").mkdir()
    os.symlink("../releases/r-0123abcd", str(tmp_path / "slots" / "b"))
    monkeypatch.setenv("ASGI_APP", "shop")
    monkeypatch.setenv("ASGI_SLOT", "b")
    monkeypatch.setenv("ASGI_SLOT_LINK", str(tmp_path / "slots" / "b"))
    monkeypatch.syspath_prepend(RUNTIME_DIR)
    yield
    sys.modules.pop("asgi_deploy_runtime", None)


def configured(log_format, stream):
    config = logconfig(log_format)
    config["handlers"]["journal"]["stream"] = stream
    logging.config.dictConfig(config)
    return logging.getLogger("shop.orders")


@pytest.fixture(params=["orjson", "stdlib json"])
def encoder(request, monkeypatch):
    """The JSON encoder the release's venv offers: orjson (the server lock, app_server_lock), or the
    stdlib's where an operator's server packages leave orjson out."""
    pytest.importorskip("pythonjsonlogger")
    if request.param == "orjson":
        pytest.importorskip("orjson")
    else:
        monkeypatch.setitem(sys.modules, "pythonjsonlogger.orjson", None)
    return request.param


def test_json_lines_have_the_stable_fields_and_one_line_tracebacks(slot, encoder):
    stream = io.StringIO()
    log = configured("json", stream)
    import asgi_deploy_runtime
    token = asgi_deploy_runtime.REQUEST_ID.set("5f0c1e")
    try:
        log.info("order %s placed", 42)
        try:
            raise ValueError("no stock")
        except ValueError:
            log.exception("order failed")
    finally:
        asgi_deploy_runtime.REQUEST_ID.reset(token)
    log.warning("outside a request")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    for record in records:
        assert set(("time",) + FIELDS) <= set(record)
        assert (record["app"], record["release"], record["slot"], record["logger"]) == ("shop", "r-0123abcd", "b", "shop.orders")
    assert records[0]["message"] == "order 42 placed" and records[0]["level"] == "INFO"
    assert records[0]["request_id"] == "5f0c1e"
    assert "Traceback" in records[1]["exc_info"] and "ValueError: no stock" in records[1]["exc_info"]
    assert records[2]["request_id"] is None and records[2]["level"] == "WARNING"


@pytest.mark.parametrize("message, args", [
    # orjson refuses both; the stdlib's encoder writes them.
    ("path %s", ("/srv/shop/shared/\udcff.csv",)),
    ("order %d", (2 ** 70,)),
])
def test_what_orjson_refuses_still_makes_a_json_line(slot, encoder, message, args):
    stream = io.StringIO()
    log = configured("json", stream)
    log.info(message, *args, extra={"order_id": args[0]})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["message"] == message % args and record["order_id"] == args[0]


def test_json_mode_uses_orjson_where_the_venv_has_it(slot):
    pytest.importorskip("orjson")
    pytest.importorskip("pythonjsonlogger")
    from pythonjsonlogger.orjson import OrjsonFormatter
    configured("json", io.StringIO())
    assert isinstance(logging.getLogger().handlers[0].formatter, OrjsonFormatter)


def test_text_lines_name_the_logger_and_the_request(slot):
    stream = io.StringIO()
    log = configured("text", stream)
    log.info("order placed")
    assert "[INFO] shop.orders: order placed (request None)" in stream.getvalue()
