# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter redact: text shown to an operator (build output, journal lines) without the
app's secrets or the credentials of any URL."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: redact
short_description: Remove secrets and URL credentials from text before it is shown
version_added: 0.1.0
description:
  - Replaces every given secret value, every line of a secret that spans lines (four
    characters or more), and the user part of every URL (C(scheme://user:secret@)) with
    C(********).
  - The collection passes a failed build's output and a failed release's journal lines
    through it before they reach the play's error.
options:
  _input:
    description: The text.
    type: str
    required: true
  secrets:
    description: The secret values to remove, for example an app's C(secret_env) values.
    type: list
    elements: raw
    default: []
"""

EXAMPLES = r"""
- name: Show the journal without the app's secrets
  ansible.builtin.debug:
    msg: "{{ journal.stdout | asgi.deploy.redact(app_secret_env.values() | list) }}"
"""

RETURN = r"""
_value:
  description: The text with the secrets replaced.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._redact import redact


def redact_filter(text, secrets=None):
    return redact(text, secrets or [])


class FilterModule(object):
    def filters(self):
        return {"redact": redact_filter}
