# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._verify import concrete_names, evaluate, live_slot

NOW = 1800000000
DAY = 86400
APP = normalize_apps([{
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.example.com", "www.shop.example.com"],
    "source": {"type": "pypi", "spec": "shop==1.0"},
}])[0]
PLAIN_APP = normalize_apps([{
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.internal"],
    "source": {"type": "pypi", "spec": "shop==1.0"},
    "tls": {"mode": "off"},
}])[0]


def healthy_https(days=90):
    return {"status": 200, "hsts": "max-age=63072000", "not_after": NOW + days * DAY + 10}


def redirect(name):
    return {"status": 301, "location": "https://%s/" % name}


def healthy_observed(app=APP, live="b"):
    units = {}
    for slot, paths in app["slots"].items():
        state = "active" if slot == live else "inactive"
        units[paths["socket_unit"]] = state
        units[paths["service"]] = state
    names = {}
    for name in app["server_names"]:
        if app["tls"]["mode"] == "off":
            names[name] = {"http": {"status": 200}}
        else:
            names[name] = {"https": healthy_https(), "http": redirect(name)}
    return {
        "names": names,
        "slots": {
            "live_target": app["slots"][live]["socket"],
            "current_target": app["slots"][live]["link"],
            "release_target": "/srv/shop/releases/r-0123abcd4567",
            "units": units,
        },
    }


def changed(path, value, observed=None):
    """A healthy observation with the value at `path` (keys separated by '/') replaced."""
    result = copy.deepcopy(observed or healthy_observed())
    keys = path.split("/")
    target = result
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return result


def test_healthy_app_gives_one_ok_line():
    healthy, failures, line = evaluate(APP, healthy_observed(), now=NOW)
    assert (healthy, failures) == (True, [])
    assert line == "shop ok: live slot b, release r-0123abcd4567, 2 names, certificate 90 days left"


def test_plain_http_app_is_checked_over_http_only():
    healthy, failures, line = evaluate(PLAIN_APP, healthy_observed(PLAIN_APP, live="a"), now=NOW)
    assert (healthy, failures) == (True, [])
    assert line == "shop ok: live slot a, release r-0123abcd4567, 1 name"


SLOT_B = APP["slots"]["b"]
SLOT_A = APP["slots"]["a"]

# (case, observed, words in the single failure)
FAILURES = [
    ("expired-certificate", changed("names/shop.example.com/https",
                                    {"error": "certificate not valid for this name: certificate has expired"}),
     "https://shop.example.com: certificate not valid for this name: certificate has expired"),
    ("certificate-expires-soon", changed("names/shop.example.com/https", healthy_https(days=5)),
     "the certificate for shop.example.com expires in 5 days (less than 14)"),
    ("certificate-already-past", changed("names/shop.example.com/https", healthy_https(days=-3)),
     "expires in -3 days"),
    ("bad-gateway", changed("names/www.shop.example.com/https/status", 502),
     "https://www.shop.example.com health answered 502, not 200"),
    ("connection-refused", changed("names/shop.example.com/https", {"error": "ConnectionRefusedError: refused"}),
     "https://shop.example.com: ConnectionRefusedError: refused"),
    ("no-hsts", changed("names/shop.example.com/https/hsts", None),
     "https://shop.example.com sends no Strict-Transport-Security header"),
    ("no-redirect", changed("names/shop.example.com/http", {"status": 200, "location": None}),
     "http://shop.example.com answered 200, not a redirect to https://shop.example.com/"),
    ("redirect-elsewhere", changed("names/shop.example.com/http", redirect("evil.example.com")),
     "http://shop.example.com redirects to 'https://evil.example.com/', not to https://shop.example.com/"),
    ("http-unreachable", changed("names/shop.example.com/http", {"error": "timeout: timed out"}),
     "http://shop.example.com: timeout: timed out"),
    ("live-service-stopped", changed("slots/units/" + SLOT_B["service"], "inactive"),
     "the live slot's asgi-shop@b.service is inactive"),
    ("live-socket-failed", changed("slots/units/" + SLOT_B["socket_unit"], "failed"),
     "the live slot's asgi-shop@b.socket is failed"),
    ("idle-slot-running", changed("slots/units/" + SLOT_A["service"], "active"),
     "the idle slot's asgi-shop@a.service is active, not stopped"),
    ("current-names-the-other-slot", changed("slots/current_target", SLOT_A["link"]),
     "current names '/srv/shop/slots/a' but the live slot is b"),
    ("no-current", changed("slots/current_target", None), "current names None but the live slot is b"),
    ("live-link-missing", changed("slots/live_target", None),
     "/srv/shop/live.sock points at None, not at a slot's socket"),
    ("live-link-elsewhere", changed("slots/live_target", "/run/other.sock"),
     "/srv/shop/live.sock points at '/run/other.sock', not at a slot's socket"),
]


@pytest.mark.parametrize("observed, failure", [pytest.param(o, f, id=c) for c, o, f in FAILURES])
def test_one_broken_thing_fails_naming_it(observed, failure):
    healthy, failures, line = evaluate(APP, observed, now=NOW)
    assert healthy is False
    assert len(failures) == 1 and failure in failures[0], failures
    assert line.startswith("shop FAILED (") and failure in line


def test_threshold_is_the_operators():
    observed = changed("names/shop.example.com/https", healthy_https(days=20))
    assert evaluate(APP, observed, min_cert_days=14, now=NOW)[0] is True
    assert evaluate(APP, observed, min_cert_days=30, now=NOW)[0] is False


def test_hsts_not_expected_when_told():
    assert evaluate(APP, changed("names/shop.example.com/https/hsts", None), expect_hsts=False, now=NOW)[0] is True


def test_plain_app_failing_health():
    observed = changed("names/shop.internal/http/status", 503, healthy_observed(PLAIN_APP, live="a"))
    healthy, failures = evaluate(PLAIN_APP, observed, now=NOW)[:2]
    assert (healthy, failures) == (False, ["http://shop.internal health answered 503, not 200"])


@pytest.mark.parametrize("names, concrete", [
    (["a.example.com"], ["a.example.com"]),
    (["*.example.com", "example.com"], ["example.com"]),
    ([".example.com"], []),
    (["~^www\\d+\\.example\\.com$"], []),
    (["www.*"], []),
    ([], []),
])
def test_only_concrete_names_are_requested(names, concrete):
    assert concrete_names(names) == concrete


@pytest.mark.parametrize("target, slot", [
    (SLOT_A["socket"], "a"),
    (SLOT_B["socket"], "b"),
    ("/run/asgi-deploy/shop-c.sock", None),
    (None, None),
])
def test_live_slot_from_the_link(target, slot):
    assert live_slot(target, APP["slots"]) == slot
