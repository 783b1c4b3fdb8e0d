# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Maintenance mode, decided: which apps a run of asgi.deploy.maintenance turns on or off.
While an app's flag file exists, nginx answers every request to it 503 (the app's server
block tests the file), so turning it on or off needs no reload and a deploy, which never
touches the file, leaves it as it is. Pure: no Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# An unquoted YAML on/off arrives as a boolean.
STATES = {"on": True, "off": False, True: True, False: False}


class MaintenanceError(ValueError):
    """The run's input cannot be carried out; nothing was changed."""


def maintenance_apps(apps, state, names=None):
    """[{"name", "on", "flag", "page"}] for the apps named (every app when none is): `on`
    whether maintenance mode is to be on. names: a list, or one comma-separated string."""
    if isinstance(state, str):
        state = state.strip().lower()
    if state not in STATES or isinstance(state, int) and not isinstance(state, bool):
        raise MaintenanceError("state: %r is not on or off (-e state=on, -e state=off)" % (state,))
    if isinstance(names, str):
        names = [name.strip() for name in names.split(",") if name.strip()]
    if names is None:
        names = []
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise MaintenanceError("apps: expected a list of app names or one comma-separated string, got %r" % (names,))
    known = [app["name"] for app in apps]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise MaintenanceError("apps: %s %s of this host (its apps: %s)"
                               % (", ".join(unknown), "is not an app" if len(unknown) == 1 else "are not apps",
                                  ", ".join(known)))
    return [{"name": app["name"], "on": STATES[state], "flag": app["maintenance_flag"], "page": app["maintenance_page"]}
            for app in apps if not names or app["name"] in names]
