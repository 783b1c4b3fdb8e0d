# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter python_literal: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: python_literal
short_description: Write a value as a Python literal
version_added: 0.1.0
description:
  - >-
    Strings, whole and decimal numbers, booleans, null (C(None)), lists and mappings of them, for C(gunicorn.conf.py).
  - >-
    Fails for anything else, and for infinite or undefined numbers.
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
    content: "workers = {{ value | asgi.deploy.python_literal }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import python_literal
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"python_literal": escaping_filter("python_literal", python_literal)}
