# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter env_value: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: env_value
short_description: Write a value for a systemd EnvironmentFile= line
version_added: 0.1.0
description:
  - >-
    Double-quotes the value and escapes C(\"), C(\\), C(`) and C($), so blanks, C(#), quotes and newlines (a PEM key) reach the process unchanged.
  - >-
    Text and whole numbers only: null, booleans and decimal numbers have no one spelling and fail, as does a NUL character.
  - The error never repeats the value, which may be a secret.
options:
  _input:
    description: The value.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Write a value
  ansible.builtin.copy:
    content: "NAME={{ value | asgi.deploy.env_value }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import env_value
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"env_value": escaping_filter("env_value", env_value)}
