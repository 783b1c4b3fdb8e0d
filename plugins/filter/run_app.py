# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter run_app: the app asgi.deploy.run runs a command for (module_utils/_run.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: run_app
short_description: The record of the app a one-off command runs for
version_added: 0.1.0
description:
  - The record of the app named, failing with the host's apps when it is none of them.
options:
  _input:
    description: The apps' records (the C(asgi) role's C(asgi_app_records)).
    type: list
    elements: dict
    required: true
  name:
    description: The app's name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The app to run a command for
  ansible.builtin.set_fact:
    app: "{{ asgi_app_records | asgi.deploy.run_app('shop') }}"
"""

RETURN = r"""
_value:
  description: The app's record.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._run import RunError, run_app


def _run_app(apps, name):
    try:
        return run_app(apps, name)
    except RunError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"run_app": _run_app}
