# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter journal_excerpt: the entries of a failed unit's journal an operator reads, a
traceback whole (module_utils/_journal.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: journal_excerpt
short_description: The last entries of a unit's journal, each JSON log record made readable
version_added: 0.1.0
description:
  - Takes the output of C(journalctl --output=cat) and returns its last O(entries) entries.
  - >-
    A JSON log line (C(gunicorn_log_format=json)) is one entry, shown as C(LEVEL logger: message)
    with its traceback (C(exc_info)) indented under it. The lines one write to stderr made,
    such as a traceback gunicorn's master printed, are one entry. In plain text an indented line
    belongs to the line above it.
  - So a crash loop's last start attempt shows its cause, however many lines its tracebacks take.
    An entry of more than 60 lines shows its last 60.
options:
  _input:
    description: The journal text, one line per journal message.
    type: str
    required: true
  entries:
    description: How many entries to keep, the newest.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Show why the slot failed, secrets removed
  ansible.builtin.debug:
    msg: "{{ journal.stdout | asgi.deploy.journal_excerpt(30) | asgi.deploy.redact(secret_values) }}"
"""

RETURN = r"""
_value:
  description: The entries, one line after another.
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._journal import excerpt


def journal_excerpt(text, entries=30):
    return excerpt(text, int(entries))


class FilterModule(object):
    def filters(self):
        return {"journal_excerpt": journal_excerpt}
