# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files the gunicorn role writes for each app, as asgi.deploy.files entries: where
each goes, from which template, with which variables, owner and mode."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._unit_files import unit_files

D = "/etc/systemd/system/"
SHOP = {
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.example.test"],
    "source": {"type": "wheel", "path": "dist/shop-1.0-py3-none-any.whl"},
    "processes": [{"name": "worker", "command": "celery -A shop worker", "replicas": 2}],
    "timers": [{"name": "cleanup", "on_calendar": "*-*-* 04:00:00", "command": "shop-cleanup"}],
}
API = {"name": "api", "module": "api:app", "server_names": ["api.example.test"],
       "source": {"type": "wheel", "path": "dist/api-1.0-py3-none-any.whl"}}
SHOP_STAGED = "/etc/asgi-deploy/shop/staged/"


def files(*apps):
    return unit_files(normalize_apps(list(apps)))


def described(entry):
    """An entry as (path, template, the names of its variables other than app, their values)."""
    extra = dict((key, value) for key, value in entry["template_vars"].items() if key != "app")
    return (entry["path"], entry["template"], extra.get("kind"), extra.get("slot"),
            extra["entry"]["name"] if "entry" in extra else None)


@pytest.mark.parametrize("kind, expected", [
    ("staged", [
        (SHOP_STAGED + "gunicorn.conf.py", "gunicorn.conf.py.j2", None, None, None),
        (SHOP_STAGED + "service.conf", "service.conf.j2", None, None, None),
        (SHOP_STAGED + "socket.conf", "socket.conf.j2", None, None, None),
        (SHOP_STAGED + "process-worker.sh", "command.sh.j2", "process", None, "worker"),
        (SHOP_STAGED + "process-worker.conf", "process.conf.j2", "process", None, "worker"),
        (SHOP_STAGED + "timer-cleanup.sh", "command.sh.j2", "timer", None, "cleanup"),
        (SHOP_STAGED + "timer-cleanup.conf", "process.conf.j2", "timer", None, "cleanup"),
        ("/etc/asgi-deploy/api/staged/gunicorn.conf.py", "gunicorn.conf.py.j2", None, None, None),
        ("/etc/asgi-deploy/api/staged/service.conf", "service.conf.j2", None, None, None),
        ("/etc/asgi-deploy/api/staged/socket.conf", "socket.conf.j2", None, None, None),
    ]),
    ("units", [
        (D + "asgi-shop@.socket", "socket_unit.j2", None, None, None),
        (D + "asgi-shop@.service", "service.j2", None, None, None),
        (D + "asgi-shop.worker-a@.service", "process.service.j2", "process", "a", "worker"),
        (D + "asgi-shop.worker-b@.service", "process.service.j2", "process", "b", "worker"),
        (D + "asgi-shop.cleanup@.service", "timer.service.j2", "timer", None, "cleanup"),
        (D + "asgi-api@.socket", "socket_unit.j2", None, None, None),
        (D + "asgi-api@.service", "service.j2", None, None, None),
    ]),
])
def test_every_file_of_every_app_in_order(kind, expected):
    assert [described(entry) for entry in files(SHOP, API)[kind]] == expected


@pytest.mark.parametrize("kind, mode", [("staged", "0600"), ("units", "0644")])
def test_staged_files_are_roots_alone_and_units_readable(kind, mode):
    entries = files(SHOP, API)[kind]
    assert set((entry["owner"], entry["group"], entry["mode"]) for entry in entries) == set([("root", "root", mode)])


def test_each_entry_is_rendered_with_its_own_app():
    for kind, entries in files(SHOP, API).items():
        for entry in entries:
            app = entry["template_vars"]["app"]
            assert entry["path"].startswith((D + app["unit_stem"], app["staged_dir"])), (kind, entry["path"])


def test_an_app_without_processes_has_only_its_slots_files():
    result = files(API)
    assert [entry["template"] for entry in result["staged"] + result["units"]] == [
        "gunicorn.conf.py.j2", "service.conf.j2", "socket.conf.j2", "socket_unit.j2", "service.j2"]
