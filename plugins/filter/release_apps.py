# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter release_apps: the apps a release run switches, rollback names checked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: release_apps
short_description: The apps a release run switches
version_added: 0.2.0
description:
  - Going forward, every app. Rolling back, only the apps named, each checked to be an app
    of the host, and each release named checked to be a release id; a host with one app
    rolls it back when none is named.
options:
  _input:
    description: The apps' records (the C(asgi) role's C(asgi_app_records)).
    type: list
    elements: dict
    required: true
  rollback:
    description: Whether the run rolls back.
    type: bool
    required: true
  names:
    description: The apps to roll back to their previous release.
    type: list
    elements: str
    default: []
  targets:
    description: The release to roll back to, per app name.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The apps to roll back
  ansible.builtin.set_fact:
    apps_to_switch: "{{ asgi_app_records | asgi.deploy.release_apps(true, ['shop'], {}) }}"
"""

RETURN = r"""
_value:
  description: The records of the apps to switch, in the order given.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError, release_apps


def _release_apps(apps, rollback, names=None, targets=None):
    try:
        return release_apps(apps, rollback, names, targets)
    except PlanError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"release_apps": _release_apps}
