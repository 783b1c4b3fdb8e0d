# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.units: entries checked before anything runs; per unit, only the systemctl
verbs that change what systemd reports, enable or disable before the state."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._units import UnitsError, checked, properties, verbs

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
