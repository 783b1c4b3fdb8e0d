# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter systemd_value: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: systemd_value
short_description: Write a value as the right-hand side of a systemd unit directive
version_added: 0.1.0
description:
  - >-
    Booleans become C(yes)/C(no), C(%) (a specifier) is doubled.
  - >-
    Fails for values a unit file cannot hold on one line: control characters, a trailing backslash (which joins the next line), leading or trailing blanks.
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
    content: "ProtectHome={{ value | asgi.deploy.systemd_value }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import systemd_value
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"systemd_value": escaping_filter("systemd_value", systemd_value)}
