# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter toml_string: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: toml_string
short_description: Write a value as a TOML basic string
version_added: 0.2.0
description:
  - >-
    Quotes the value for a TOML file (such as uv's C(uv.toml)), escaping C(\\) and C(\") and
    writing control characters as C(\\uXXXX).
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
    content: "index-url = {{ value | asgi.deploy.toml_string }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import toml_string
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"toml_string": escaping_filter("toml_string", toml_string)}
