# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._maintenance import MaintenanceError, maintenance_apps

APPS = normalize_apps([
    {"name": name, "module": "m.main:app", "server_names": ["%s.example.test" % name],
     "source": {"type": "wheel", "path": "dist/m-1.0-py3-none-any.whl"}}
    for name in ("shop", "api")])


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


@pytest.mark.parametrize("state,names,expected", [
    case("on-every-app", "on", None, [("shop", True), ("api", True)]),
    case("off-every-app", "off", [], [("shop", False), ("api", False)]),
    case("on-one", "on", ["api"], [("api", True)]),
    case("comma-separated", "on", "api, shop", [("shop", True), ("api", True)]),
    case("yaml-boolean-on", True, ["shop"], [("shop", True)]),
    case("yaml-boolean-off", False, ["shop"], [("shop", False)]),
    case("upper-case", "OFF", "shop", [("shop", False)]),
])
def test_the_apps_and_their_state(state, names, expected):
    assert [(app["name"], app["on"]) for app in maintenance_apps(APPS, state, names)] == expected


def test_the_flag_and_page_are_the_apps_own():
    shop = maintenance_apps(APPS, "on", ["shop"])[0]
    assert shop["flag"] == "/etc/asgi-deploy/maintenance/shop.on"
    assert shop["page"] == "/etc/asgi-deploy/maintenance/shop.html"


@pytest.mark.parametrize("state,names,message", [
    case("state-missing", None, None, "state: None is not on or off"),
    case("state-unknown", "maybe", None, "state: 'maybe' is not on or off"),
    case("state-number", 1, None, "state: 1 is not on or off"),
    case("app-unknown", "on", ["shop", "blog"], "apps: blog is not an app of this host (its apps: shop, api)"),
    case("apps-unknown", "on", "blog,wiki", "apps: blog, wiki are not apps"),
    case("apps-mapping", "on", {"shop": True}, "apps: expected a list of app names"),
    case("apps-numbers", "on", [1], "apps: expected a list of app names"),
])
def test_bad_input_fails_naming_it(state, names, message):
    with pytest.raises(MaintenanceError) as error:
        maintenance_apps(APPS, state, names)
    assert str(error.value).startswith(message), str(error.value)
