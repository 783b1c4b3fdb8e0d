# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi-deploy-notify (roles/monitoring/files): which app a failed unit belongs to, the
secrets read back from the app's env file, and an alert's journal lines redacted with the
collection's own redact."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.machinery
import json
import importlib.util
import os
import sys
import types

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils import _journal, _redact
from ansible_collections.asgi.deploy.plugins.module_utils._escape import env_value

NOTIFIER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "monitoring", "files",
                        "asgi-deploy-notify")
SECRET = "s3cr3t-\"$`\\-token"


@pytest.fixture(scope="module")
def notify():
    # The host has the same files as asgi_deploy_redact and asgi_deploy_journal beside the notifier.
    sys.modules["asgi_deploy_redact"] = _redact
    sys.modules["asgi_deploy_journal"] = _journal
    loader = importlib.machinery.SourceFileLoader("asgi_deploy_notify", NOTIFIER)
    spec = importlib.util.spec_from_loader("asgi_deploy_notify", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    yield module
    sys.modules.pop("asgi_deploy_redact", None)
    sys.modules.pop("asgi_deploy_journal", None)


@pytest.mark.parametrize("values", [
    {"A": "1"},
    {"TOKEN": SECRET, "NAME": "shop"},
    {"KEY": "-----BEGIN KEY-----\nabc\n-----END KEY-----"},
    {},
])
def test_env_file_values_read_back_what_env_value_wrote(notify, values):
    text = "# Ansible managed\n" + "".join("%s=%s\n" % (name, env_value(value)) for name, value in values.items())
    assert notify.env_file_values(text) == values


CONFIG = {"host": "web1", "journal_lines": 30, "apps": {
    "shop": {"unit": "asgi-shop", "health_unit": "asgi-shop-health.service"},
    "shop-api": {"unit": "asgi-shop-api", "health_unit": "asgi-shop-api-health.service"},
}}


@pytest.mark.parametrize("unit, expected", [
    ("asgi-shop@a.service", ("shop", "slot")),
    ("asgi-shop-api@b.service", ("shop-api", "slot")),
    ("asgi-shop-health.service", ("shop", "health")),
    ("asgi-shop-api-health.service", ("shop-api", "health")),
    ("asgi-shop@a.socket", (None, None)),
    ("nginx.service", (None, None)),
])
def test_app_of_unit(notify, unit, expected):
    assert notify.app_of_unit(CONFIG, unit) == expected


@pytest.fixture
def host_layout(tmp_path):
    (tmp_path / "releases" / "r-2").mkdir(parents=True)
    (tmp_path / "slots").mkdir()
    os.symlink("../releases/r-2", str(tmp_path / "slots" / "b"))
    os.symlink("slots/b", str(tmp_path / "current"))
    # The live slot's env file; the other slot's and the staged one are missing here.
    (tmp_path / "env").write_text("TOKEN=%s\nNAME=\"shop\"\n" % env_value(SECRET))
    app = {"unit": "asgi-shop", "health_unit": "asgi-shop-health.service", "current": str(tmp_path / "current"),
           "slots_dir": str(tmp_path / "slots"), "env_files": [str(tmp_path / "staged"), str(tmp_path / "env")],
           "secret_names": ["TOKEN"]}
    return {"host": "web1", "journal_lines": 5, "apps": {"shop": app}}


def fake_run(journal, result="start-limit-hit"):
    calls = []

    def run(argv, **kwargs):
        calls.append(argv)
        out = result if argv[0] == "systemctl" else journal
        return types.SimpleNamespace(stdout=out + "\n", returncode=0)
    run.calls = calls
    return run


@pytest.mark.parametrize("unit, kind, live", [
    ("asgi-shop@b.service", "unit failed", True),
    ("asgi-shop@a.service", "unit failed", False),
    ("asgi-shop-health.service", "health failed", True),
])
def test_a_failed_unit_alerts_with_its_journal_redacted(notify, host_layout, unit, kind, live):
    run = fake_run("booting\nsettings TOKEN=%s\nhttps://user:pw@db.example/x failed" % SECRET)
    event = notify.unit_event(host_layout, unit, run=run, now=0)
    assert event["event"] == kind and event["app"] == "shop" and event["host"] == "web1"
    assert event["live"] is live
    assert event["release"] == ("r-2" if live else None)
    text = "\n".join(event["journal"])
    assert SECRET not in text and "pw@" not in text and "********" in text
    assert event["journal"][0] == "booting"
    assert event["time"] == "1970-01-01T00:00:00Z"
    # A failed health probe carries what the live slot itself said, too.
    journal_call = [argv for argv in run.calls if argv[0] == "journalctl"][0]
    assert "--unit=%s" % (unit if kind == "unit failed" else "asgi-shop@b.service") in journal_call
    # Lines enough for the 5 entries an alert carries.
    assert "--lines=100" in journal_call
    if kind == "unit failed":
        assert "start-limit-hit" in event["what"]


def test_json_journal_lines_are_read_as_records_then_redacted(notify, host_layout):
    """In a JSON line the secret is escaped ("" and \\ doubled up): redacted only once the
    record is read, and shown as text."""
    lines = [json.dumps({"level": "INFO", "logger": "gunicorn.error", "message": "Booting worker"}),
             json.dumps({"level": "ERROR", "logger": "shop", "message": "token %s refused" % SECRET,
                         "exc_info": "Traceback (most recent call last):\nValueError: bad token"})]
    event = notify.unit_event(host_layout, "asgi-shop@b.service", run=fake_run("\n".join(lines)), now=0)
    assert event["journal"] == ["INFO gunicorn.error: Booting worker", "ERROR shop: token ******** refused",
                                "  Traceback (most recent call last):", "  ValueError: bad token"]


def test_event_always_names_app_release_host_and_what(notify):
    event = notify.event("deployed", "shop", "web1", "deployed r-2 of shop", release="r-2", now=0)
    assert set(event) == {"event", "app", "release", "host", "what", "time"}
