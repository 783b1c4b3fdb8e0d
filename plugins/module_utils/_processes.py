# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's processes (queue workers) and timers, decided: from the units the host has
loaded and the unit files it holds, what makes the live slot's release run them and
nothing else. Pure: no Ansible imports. The app record comes from _apps.normalize_apps:
a process's units are <prefix><app>.<name>-<slot>@<replica>.service, a timer's
<prefix><app>.<name>.timer starting <prefix><app>.<name>@<slot>.service."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

SYSTEMD_DIR = "/etc/systemd/system"


class ProcessPlanError(ValueError):
    """The live slot is not known; nothing is changed."""


def _loaded_units(lines, stem):
    """Unit names of `systemctl list-units --all --plain --no-legend` lines that are the
    app's processes' or timers' (<stem>.<...>), loaded or only named by a link."""
    units = []
    for line in lines or []:
        words = line.split()
        if words and words[0].startswith(stem + ".") and words[0] not in units:
            units.append(words[0])
    return units


def process_plan(app, live_slot, unit_lines, unit_paths):
    """What the release role does with the app's processes and timers once live_slot
    serves (after the switch, or on a run with nothing to switch):

      start   the live slot's process instances, started and enabled at boot
      stop    every other process instance loaded (the other slot's, replicas beyond the
              count, processes of a removed name): stopped gracefully and disabled
      timers  each timer with the slot its service runs in: the live one
      timer_files  their unit files, as asgi.deploy.files entries
      stop_timers  loaded timers of a removed name: stopped and disabled
      remove  the unit files and drop-in directories of removed processes and timers

    unit_lines: the lines of `systemctl list-units --all --plain --no-legend '<stem>.*'`;
    unit_paths: the paths below /etc/systemd/system whose names start with '<stem>.'."""
    if live_slot not in app["slots"]:
        raise ProcessPlanError("%s: no slot is live (%r): its processes and timers cannot start"
                               % (app["name"], live_slot))
    stem = app["unit_stem"]
    start = [unit for process in app["processes"] for unit in process["slots"][live_slot]["units"]]
    wanted_timers = [timer["timer"] for timer in app["timers"]]
    loaded = _loaded_units(unit_lines, stem)
    # Process instances are <stem>.<name>-<slot>@<n>.service; a timer's run,
    # <stem>.<name>@<slot>.service, is a oneshot that ends by itself.
    stop = [unit for unit in loaded if _is_process_instance(unit) and unit not in start]
    stop_timers = [unit for unit in loaded if unit.endswith(".timer") and unit not in wanted_timers]
    keep = set()
    for process in app["processes"]:
        for slot in process["slots"].values():
            keep.update((slot["template"], slot["template"] + ".d"))
    for timer in app["timers"]:
        keep.update((timer["timer"], timer["service_template"]))
        keep.update(slot["service"] + ".d" for slot in timer["slots"].values())
    remove = sorted(path for path in unit_paths or []
                    if posixpath.dirname(path) == SYSTEMD_DIR and posixpath.basename(path).startswith(stem + ".")
                    and posixpath.basename(path) not in keep)
    timers = [{"timer": timer["timer"], "service": timer["slots"][live_slot]["service"], "record": timer}
              for timer in app["timers"]]
    return {
        "start": start,
        "stop": stop,
        "timers": timers,
        # The timers' unit files, as asgi.deploy.files entries (the release role's timer.j2).
        "timer_files": [{"path": posixpath.join(SYSTEMD_DIR, timer["timer"]), "template": "timer.j2",
                         "template_vars": {"item": timer}, "owner": "root", "group": "root", "mode": "0644"}
                        for timer in timers],
        "stop_timers": stop_timers,
        "remove": remove,
    }


def _is_process_instance(unit):
    """<...>@<replica>.service: a process's instance (a timer's run is @<slot>)."""
    instance = unit.rpartition("@")[2]
    return "@" in unit and instance.endswith(".service") and instance[:-len(".service")].isdigit()
