# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files the gunicorn role writes for every app, as entries of asgi.deploy.files, so
that one module call writes each kind: what is staged for the next switch (the slot's
gunicorn.conf.py and unit settings, each process's and timer's command and sandbox) and
the systemd template units (the slots' socket and service, a process's service per slot,
a timer's service). Pure: no Ansible imports. The app record comes from
_apps.normalize_apps."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.asgi.deploy.plugins.module_utils._processes import SYSTEMD_DIR

# A slot's gunicorn settings and unit settings, staged as these names from <name>.j2.
WEB_STAGED = ("gunicorn.conf.py", "service.conf", "socket.conf")


def _entry(path, template, mode, **template_vars):
    return {"path": path, "template": template, "template_vars": template_vars,
            "owner": "root", "group": "root", "mode": mode}


def unit_files(apps):
    """{"staged": [...], "units": [...]}: asgi.deploy.files entries, each rendered from its
    template with the app (and a process's or timer's entry, kind and slot). Staged files
    are root's alone ("0600"): the release role copies them to the slot it starts."""
    staged, units = [], []
    for app in apps:
        staged.extend(_entry(posixpath.join(app["staged_dir"], name), name + ".j2", "0600", app=app)
                      for name in WEB_STAGED)
        units.append(_entry(posixpath.join(SYSTEMD_DIR, app["socket_template"]), "socket_unit.j2", "0644", app=app))
        units.append(_entry(posixpath.join(SYSTEMD_DIR, app["service_template"]), "service.j2", "0644", app=app))
        for kind, entries in (("process", app["processes"]), ("timer", app["timers"])):
            for entry in entries:
                for name, template in ((entry["staged"]["script"], "command.sh.j2"),
                                       (entry["staged"]["dropin"], "process.conf.j2")):
                    staged.append(_entry(posixpath.join(app["staged_dir"], name), template, "0600",
                                         app=app, entry=entry, kind=kind))
                if kind == "process":
                    units.extend(_entry(posixpath.join(SYSTEMD_DIR, entry["slots"][slot]["template"]),
                                        "process.service.j2", "0644", app=app, entry=entry, kind=kind, slot=slot)
                                 for slot in sorted(entry["slots"]))
                else:
                    units.append(_entry(posixpath.join(SYSTEMD_DIR, entry["service_template"]),
                                        "timer.service.j2", "0644", app=app, entry=entry, kind=kind, slot=None))
    return {"staged": staged, "units": units}
