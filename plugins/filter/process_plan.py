# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter process_plan: what runs an app's processes and timers in its live slot (module_utils/_processes.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: process_plan
short_description: Which units of an app's processes and timers start, stop and go
version_added: 0.1.0
description:
  - From the units of an app's processes and timers the host has loaded and the unit files it
    holds, the process instances of the live slot to start (and enable), every other instance
    to stop gracefully (the other slot's, replicas beyond the count, processes of a removed
    name), the timers with the slot their service runs in (the live one), the timers of a
    removed name to stop, and the unit files of removed names to delete.
  - Fails when no slot is live.
options:
  _input:
    description: The app's record (M(asgi.deploy.release_plan)'s input).
    type: dict
    required: true
  live_slot:
    description: The slot that serves.
    type: str
    required: true
  unit_lines:
    description: The lines of C(systemctl list-units --all --plain --no-legend '<prefix><app>.*').
    type: list
    elements: str
    required: true
  unit_paths:
    description: The paths below C(/etc/systemd/system) whose names start with C(<prefix><app>.).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: The plan of the processes
  ansible.builtin.set_fact:
    processes: "{{ app | asgi.deploy.process_plan('a', units.stdout_lines, files.files | map(attribute='path')) }}"
"""

RETURN = r"""
_value:
  description: C(start), C(stop), C(timers), C(stop_timers) and C(remove) (see module_utils/_processes.py).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._processes import ProcessPlanError, process_plan


def _process_plan(app, live_slot, unit_lines, unit_paths):
    try:
        return process_plan(app, live_slot, list(unit_lines or []), list(unit_paths or []))
    except ProcessPlanError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"process_plan": _process_plan}
