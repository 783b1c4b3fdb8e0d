# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.units: entries checked before anything runs; per unit, only the systemctl
verbs that change what systemd reports, enable or disable before the state."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.filter.pending_units import FilterModule
from ansible_collections.asgi.deploy.plugins.module_utils._units import (
    UnitsError, checked, pending, properties, shown_units, verbs)

SLOT = "asgi-hello@b.service"


def found(active="inactive", enabled="disabled", load="loaded"):
    return {"load": load, "active": active, "enabled": enabled}


@pytest.mark.parametrize("entry, message", [
    ({"state": "started"}, "name must be a unit's full name"),
    ({"name": "nginx", "state": "started"}, "name must be a unit's full name"),
    ({"name": "--now.service", "state": "started"}, "name must be a unit's full name"),
    ({"name": "a b.service", "state": "started"}, "name must be a unit's full name"),
    ({"name": SLOT, "state": "reloaded"}, "state must be one of started, stopped, restarted"),
    ({"name": SLOT, "enabled": "yes"}, "enabled must be true or false"),
    ({"name": SLOT}, "give a state, enabled or both"),
    ({"name": SLOT, "state": "started", "masked": True}, "unknown keys masked"),
])
def test_a_bad_entry_is_refused_naming_it(entry, message):
    with pytest.raises(UnitsError, match=r"units\[1\].*" + message):
        checked([{"name": "nginx.service", "state": "started"}, entry])


@pytest.mark.parametrize("entry, state, expected", [
    ({"state": "started"}, found(), ["start"]),
    ({"state": "started"}, found("active"), []),
    ({"state": "started"}, found("activating"), []),
    ({"state": "started"}, found("failed"), ["start"]),
    ({"state": "restarted"}, found("active"), ["restart"]),
    ({"state": "restarted"}, found(), ["restart"]),
    ({"state": "stopped"}, found("active"), ["stop"]),
    ({"state": "stopped"}, found("deactivating"), ["stop"]),
    ({"state": "stopped"}, found("failed"), []),
    ({"state": "stopped"}, found(), []),
    ({"enabled": True}, found(), ["enable"]),
    ({"enabled": True}, found(enabled="enabled-runtime"), ["enable"]),
    ({"enabled": True}, found(enabled="enabled"), []),
    ({"enabled": False}, found(enabled="enabled"), ["disable"]),
    ({"enabled": False}, found(enabled="disabled"), []),
    # Enabled first, then the state: as ansible.builtin.systemd_service runs them.
    ({"state": "started", "enabled": True}, found(), ["enable", "start"]),
    ({"state": "stopped", "enabled": False}, found("active", "enabled"), ["disable", "stop"]),
    ({"state": "started", "enabled": True}, found("active", "enabled"), []),
    # Nothing to stop or disable of a unit systemd does not know.
    ({"state": "stopped", "enabled": False}, found("inactive", None, "not-found"), []),
])
def test_only_the_verbs_that_change_the_unit_run(entry, state, expected):
    assert verbs(dict(entry, name=SLOT), state) == expected


@pytest.mark.parametrize("entry, word", [({"state": "started"}, "started"), ({"state": "restarted"}, "restarted"),
                                         ({"enabled": True}, "enabled")])
def test_a_unit_systemd_does_not_know_cannot_start_and_is_a_change_in_check_mode(entry, word):
    missing = found("inactive", None, "not-found")
    with pytest.raises(UnitsError, match=SLOT + ": systemd knows no such unit .* it cannot be " + word):
        verbs(dict(entry, name=SLOT), missing)
    assert verbs(dict(entry, name=SLOT), missing, check_mode=True) != []


def test_systemctl_show_is_read_as_properties():
    assert properties("LoadState=loaded\nActiveState=active\nDescription=a=b\n") == {
        "LoadState": "loaded", "ActiveState": "active", "Description": "a=b"}


# `systemctl show --property=Id,LoadState,ActiveState,UnitFileState -- nginx.service
# prometheus-nginx-exporter.service 'asgi-*'` on a host where nginx is installed but stopped,
# the exporter not installed, and hello's slot b and health watch running.
SHOWN = """Id=nginx.service
LoadState=loaded
ActiveState=inactive
UnitFileState=enabled

Id=prometheus-nginx-exporter.service
LoadState=not-found
ActiveState=inactive
UnitFileState=

Id=asgi-hello@b.service
LoadState=loaded
ActiveState=active
UnitFileState=enabled

Id=asgi-hello-health.timer
LoadState=loaded
ActiveState=active
UnitFileState=enabled
""".splitlines()


def test_systemctl_show_of_several_units_is_read_per_unit():
    assert shown_units(SHOWN) == {
        "nginx.service": found("inactive", "enabled"),
        "prometheus-nginx-exporter.service": found("inactive", None, "not-found"),
        "asgi-hello@b.service": found("active", "enabled"),
        "asgi-hello-health.timer": found("active", "enabled"),
    }
    assert shown_units(["LoadState=loaded", "", "not a property"]) == {}


STARTED = {"state": "started", "enabled": True}


@pytest.mark.parametrize("units, expected", [
    ([dict(STARTED, name="asgi-hello-health.timer"), dict(STARTED, name="asgi-hello@b.service")], []),
    ([{"name": "asgi-hello-health.timer", "state": "started"}], []),
    ([{"name": "asgi-hello-health.timer", "enabled": True}], []),
    # Stopped, not installed, not running (a pattern shows no unit systemd has not loaded).
    ([dict(STARTED, name="nginx.service")], ["nginx.service"]),
    ([{"name": "nginx.service", "enabled": True}], []),
    ([dict(STARTED, name="prometheus-nginx-exporter.service")], ["prometheus-nginx-exporter.service"]),
    ([dict(STARTED, name="asgi-api-health.timer"), dict(STARTED, name="asgi-hello-health.timer")],
     ["asgi-api-health.timer"]),
    # A restart is always pending; so are a stop and a disable of a running, enabled unit.
    ([{"name": "asgi-hello-health.timer", "state": "restarted", "enabled": True}], ["asgi-hello-health.timer"]),
    ([{"name": "asgi-hello@b.service", "state": "stopped"}], ["asgi-hello@b.service"]),
    ([{"name": "asgi-hello@b.service", "enabled": False}], ["asgi-hello@b.service"]),
    ([{"name": "asgi-hello@a.service", "state": "stopped", "enabled": False}], ["asgi-hello@a.service"]),
    ([], []),
])
def test_the_pending_filter_names_the_units_that_need_a_verb(units, expected):
    assert FilterModule().filters()["pending_units"](units, SHOWN) == expected
    assert pending(units, shown_units(SHOWN)) == expected


def test_the_pending_filter_refuses_a_bad_entry():
    with pytest.raises(Exception, match=r"units\[0\] \(nginx\): name must be a unit's full name"):
        FilterModule().filters()["pending_units"]([{"name": "nginx", "state": "started"}], SHOWN)
