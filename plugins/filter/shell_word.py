# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter shell_word: one of the collection's escaping functions (module_utils/_escape.py);
templates write operator-supplied values through them and never quote by hand."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: shell_word
short_description: Write a value as one single-quoted POSIX shell word
version_added: 0.1.0
description:
  - >-
    Quotes the value for a shell, or a file a shell sources (dehydrated's configuration):
    nothing inside is expanded, a single quote becomes C('\\'').
  - >-
    Fails only for a NUL character, which no shell word can hold.
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
    content: "CONTACT_EMAIL={{ value | asgi.deploy.shell_word }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The value written in the target language.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._escape import shell_word
from ansible_collections.asgi.deploy.plugins.plugin_utils._escape_filters import escaping_filter


class FilterModule(object):
    def filters(self):
        return {"shell_word": escaping_filter("shell_word", shell_word)}
