# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._run import RunError, run_app, run_argv, sandbox_properties

APPS = normalize_apps([
    {"name": name, "module": "m.wsgi:application", "interface": "wsgi", "server_names": ["%s.example.test" % name],
     "source": {"type": "wheel", "path": "dist/m-1.0-py3-none-any.whl"}}
    for name in ("shop", "api")])
SHOP = APPS[0]
DROPIN = """# Ansible managed
# The service settings of the slot of shop.
[Service]
TimeoutStopSec=40
ReadWritePaths=/srv/shop/shared
UMask=0027
ProtectSystem=strict
CPUQuota=50%%
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
"""


def encoded(text):
    return base64.b64encode(text.encode()).decode()


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


def test_the_command_runs_in_the_live_slot_as_the_app_in_its_sandbox():
    argv = run_argv(SHOP, "/run/asgi-deploy/shop-b.sock", "django-admin migrate --plan",
                    {"a": encoded("[Service]\nUMask=0077\n"), "b": encoded(DROPIN)})
    assert argv == [
        "systemd-run", "--quiet", "--wait", "--pipe", "--collect", "--service-type=exec",
        "--uid=shop", "--gid=shop",
        "--property=EnvironmentFile=/etc/asgi-deploy/shop/slots/b/env",
        "--property=WorkingDirectory=/srv/shop/shared",
        "--setenv=PATH=/srv/shop/slots/b/venv/bin:/usr/local/bin:/usr/bin:/bin",
        "--setenv=PYTHONSAFEPATH=1",
        "--property=ReadWritePaths=/srv/shop/shared",
        "--property=UMask=0027",
        "--property=ProtectSystem=strict",
        "--property=CPUQuota=50%",
        "--property=SystemCallFilter=@system-service",
        "--property=SystemCallFilter=~@privileged @resources",
        "/bin/sh", "-c", "django-admin migrate --plan",
    ]


def test_the_shell_expands_the_variables_not_systemd():
    argv = run_argv(SHOP, "/run/asgi-deploy/shop-a.sock", 'echo "$HOME" $$', {"a": encoded(DROPIN)})
    assert argv[-1] == 'echo "$$HOME" $$$$'


def test_a_drop_in_without_hardening_gives_no_sandbox():
    assert sandbox_properties("# managed\n[Service]\nTimeoutStopSec=40\n") == []


def test_the_slots_alert_is_no_part_of_the_sandbox():
    dropin = "[Unit]\nOnFailure=asgi-deploy-notify@%n.service\n\n[Service]\nTimeoutStopSec=40\nProtectSystem=strict\n"
    assert sandbox_properties(dropin) == ["--property=ProtectSystem=strict"]


@pytest.mark.parametrize("link,command,dropins,message", [
    case("nothing-live", None, "true", {}, "shop has no live release (/srv/shop/live.sock is missing)"),
    case("link-elsewhere", "/run/asgi-deploy/other-a.sock", "true", {}, "shop has no live release "
         "(/srv/shop/live.sock names /run/asgi-deploy/other-a.sock)"),
    case("no-drop-in", "/run/asgi-deploy/shop-a.sock", "true", {"a": ""}, "the live slot a of shop has no drop-in"),
    case("command-empty", "/run/asgi-deploy/shop-a.sock", "  ", {"a": encoded(DROPIN)}, "command: expected"),
    case("command-missing", "/run/asgi-deploy/shop-a.sock", None, {"a": encoded(DROPIN)}, "command: expected"),
    case("command-split-by-ansible", "/run/asgi-deploy/shop-a.sock", "django-admin", {"a": encoded(DROPIN)},
         "command: Ansible split -e command=... at its first blank (it read 'django-admin' and left 'migrate')"),
    case("drop-in-junk", "/run/asgi-deploy/shop-a.sock", "true", {"a": encoded("[Service]\nnot a line\n")},
         "cannot read the slot's drop-in at 'not a line'"),
    case("drop-in-other-section", "/run/asgi-deploy/shop-a.sock", "true", {"a": encoded("[Install]\nWantedBy=x\n")},
         "cannot read the slot's drop-in at 'WantedBy=x'"),
])
def test_what_cannot_run_fails_saying_why(link, command, dropins, message):
    with pytest.raises(RunError) as error:
        run_argv(SHOP, link, command, dropins, "migrate" if command == "django-admin" else "")
    assert str(error.value).startswith(message), str(error.value)


@pytest.mark.parametrize("name,message", [
    case("unknown", "blog", "app: 'blog' is not an app of this host (its apps: shop, api)"),
    case("missing", None, "app: None is not an app of this host"),
])
def test_the_app_must_be_one_of_the_hosts(name, message):
    with pytest.raises(RunError) as error:
        run_app(APPS, name)
    assert str(error.value).startswith(message)


def test_the_app_named_is_chosen():
    assert run_app(APPS, "api")["name"] == "api"
