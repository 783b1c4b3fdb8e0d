# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter maintenance_apps: the apps asgi.deploy.maintenance turns on or off (module_utils/_maintenance.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: maintenance_apps
short_description: The apps a run of asgi.deploy.maintenance turns on or off
version_added: 0.1.0
description:
  - The apps named (every app of the host when none is), each checked to be an app of the
    host, with whether maintenance mode is to be on and the paths of its flag file and page.
  - Fails naming the input when the state is not C(on) or C(off) or an app is unknown.
options:
  _input:
    description: The apps' records (the C(asgi) role's C(asgi_app_records)).
    type: list
    elements: dict
    required: true
  state:
    description: C(on) or C(off); YAML's booleans mean the same.
    type: raw
    required: true
  names:
    description: The apps to change, a list or one comma-separated string; none means every app.
    type: raw
    default: []
"""

EXAMPLES = r"""
- name: Turn shop's maintenance mode on
  ansible.builtin.set_fact:
    apps_in_maintenance: "{{ asgi_app_records | asgi.deploy.maintenance_apps('on', ['shop']) }}"
"""

RETURN = r"""
_value:
  description: One entry per app to change, in the order of the records.
  type: list
  elements: dict
  contains:
    name:
      description: The app's name.
      type: str
    "on":
      description: Whether maintenance mode is to be on.
      type: bool
    flag:
      description: The file whose existence turns maintenance mode on.
      type: str
    page:
      description: The page nginx answers with while it is on.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._maintenance import MaintenanceError, maintenance_apps


def _maintenance_apps(apps, state, names=None):
    try:
        return maintenance_apps(apps, state, names)
    except MaintenanceError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"maintenance_apps": _maintenance_apps}
