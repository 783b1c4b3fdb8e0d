# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd units brought to their wanted state in one module call (asgi.deploy.units):
from what systemd reports of each unit, the systemctl verbs that get it there, enable or
disable before start, stop or restart, as ansible.builtin.systemd_service orders them. A
task per unit cost a module run each; a release switch ran eight. The same verbs from
`systemctl show` read before any module runs (pending) let a role skip the module call
when every unit already is as wanted. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

STATES = ("started", "stopped", "restarted")
KEYS = ("name", "state", "enabled")
# ActiveStates of a unit that runs or is coming up (started: nothing to do), and those a
# stop still has to end.
RUNNING = ("active", "activating", "reloading")
STOPPABLE = RUNNING + ("deactivating",)
ENABLED = ("enabled", "enabled-runtime")
UNIT_NAME = re.compile(r"^[A-Za-z0-9:_.\\@-]+\.(service|socket|timer|target|path|mount)$")


class UnitsError(ValueError):
    pass


def checked(units):
    """The entries as given; UnitsError names the first bad one, before anything runs."""
    for index, entry in enumerate(units):
        where = "units[%d] (%s)" % (index, entry.get("name", "no name"))
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise UnitsError("%s: unknown keys %s" % (where, ", ".join(unknown)))
        name = entry.get("name")
        if not isinstance(name, str) or name.startswith("-") or not UNIT_NAME.match(name):
            raise UnitsError("%s: name must be a unit's full name, for example nginx.service" % where)
        if entry.get("state") is not None and entry["state"] not in STATES:
            raise UnitsError("%s: state must be one of %s" % (where, ", ".join(STATES)))
        if entry.get("enabled") is not None and not isinstance(entry["enabled"], bool):
            raise UnitsError("%s: enabled must be true or false" % where)
        if entry.get("state") is None and entry.get("enabled") is None:
            raise UnitsError("%s: give a state, enabled or both" % where)
    return list(units)


def verbs(entry, found, check_mode=False):
    """The systemctl verbs, in order, that bring one unit to its entry. found: {"load":
    LoadState, "active": ActiveState, "enabled": what `systemctl is-enabled` printed (None
    when it printed nothing)}. A unit systemd does not know cannot be started or enabled;
    in check mode that is reported as a change (an earlier task would have written it)."""
    missing = found.get("load") == "not-found"
    state, enabled = entry.get("state"), entry.get("enabled")
    if missing and (enabled or state in ("started", "restarted")):
        if check_mode:
            return [verb for verb in ("enable" if enabled else None,
                                      {"started": "start", "restarted": "restart"}.get(state)) if verb]
        raise UnitsError("%s: systemd knows no such unit (LoadState not-found): it cannot be %s"
                         % (entry["name"], "enabled" if enabled else state))
    result = []
    if enabled is True and found.get("enabled") != "enabled":
        result.append("enable")
    elif enabled is False and found.get("enabled") in ENABLED:
        result.append("disable")
    if state == "started" and found.get("active") not in RUNNING:
        result.append("start")
    elif state == "restarted":
        result.append("restart")
    elif state == "stopped" and found.get("active") in STOPPABLE:
        result.append("stop")
    return result


def properties(text):
    """`systemctl show --property=...` output as a dict."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def shown_units(lines):
    """{Id: found, as verbs() takes it} of the lines of `systemctl show
    --property=Id,LoadState,ActiveState,UnitFileState` for several units (a block per unit,
    each starting with its Id=). UnitFileState stands for what `systemctl is-enabled`
    prints."""
    units, current = {}, None
    for line in lines:
        key, separator, value = line.rstrip("\r").partition("=")
        if not separator:
            continue
        if key == "Id":
            current = units.setdefault(value, {"load": None, "active": None, "enabled": None})
        elif current is not None and key in ("LoadState", "ActiveState", "UnitFileState"):
            current[{"LoadState": "load", "ActiveState": "active", "UnitFileState": "enabled"}[key]] = value or None
    return units


def pending(units, shown):
    """The names of the entries that need a systemctl verb, judged from shown (shown_units):
    a unit it does not name is pending, so the module runs and decides with what systemd
    reports then."""
    return [entry["name"] for entry in checked(units)
            if entry["name"] not in shown or verbs(entry, shown[entry["name"]], check_mode=True)]
