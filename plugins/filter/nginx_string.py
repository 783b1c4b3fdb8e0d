# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter nginx_string: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_string
short_description: Write a value as a double-quoted nginx string
version_added: 0.1.0
description:
  - >-
    Quotes the value for an nginx configuration file, escaping C(\\) and C(\").
  - >-
    Fails for a value nginx cannot hold literally: control characters (a newline would end a header) and C($) (nginx reads a variable there).
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
    content: "add_header X-Note {{ value | asgi.deploy.nginx_string }} always;\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import nginx_string
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"nginx_string": escaping_filter("nginx_string", nginx_string)}
