# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter asgi_apps_secret_env: each app's secret variables, from secret_env and its
secret_env_file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: asgi_apps_secret_env
short_description: Each app's secret variables, from C(secret_env) and C(secret_env_file)
version_added: 0.1.0
description:
  - Returns, by app name, the variables of the app's C(secret_env) and those its
    C(secret_env_file) holds. The file is plain YAML, so its values are data, never
    templates, whatever characters they hold.
  - The collection uses it where a secret must be written (the app's environment file)
    or removed from text shown to the operator (the input of P(asgi.deploy.redact#filter)); mark the
    tasks that use it C(no_log).
options:
  _input:
    description: The C(asgi_apps) list, checked by P(asgi.deploy.asgi_apps_normalize#filter) first.
    type: list
    elements: dict
    required: true
  secret_env_files:
    description: The text of each app's C(secret_env_file) by app name, as read on the controller.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Write the app's environment file
  ansible.builtin.template:
    src: env.j2
    dest: /etc/asgi-deploy/shop/env
    mode: "0640"
  vars:
    secret_env: "{{ (asgi_apps | asgi.deploy.asgi_apps_secret_env(files))['shop'] }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: "By app name, a mapping of variable names to values."
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._apps import AppSpecError, secret_env
from ansible_collections.asgi.deploy.plugins.plugin_utils._secret_env_file import load_secret_env_files


def asgi_apps_secret_env(apps, secret_env_files=None):
    try:
        return secret_env(apps, load_secret_env_files(secret_env_files))
    except AppSpecError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"asgi_apps_secret_env": asgi_apps_secret_env}
