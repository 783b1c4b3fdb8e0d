# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter account_changes: the accounts' names M(asgi.deploy.accounts) would change, from getent's lines (module_utils/_accounts.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: account_changes
short_description: The names of the accounts M(asgi.deploy.accounts) would create or change
version_added: 0.1.0
description:
  - The same comparison as M(asgi.deploy.accounts) makes, from the lines of C(getent passwd) and
    C(getent group), which the role C(asgi.deploy.asgi) reads in the command it already runs on the host.
  - An account is named when its group or user is missing, or when the user's group, home, shell or
    comment differs. An empty list means the module would change nothing, and its run can be skipped.
options:
  _input:
    description: The accounts, as M(asgi.deploy.accounts) takes them (C(name), C(group), C(home), C(shell), C(comment)).
    type: list
    elements: dict
    required: true
  passwd:
    description: The lines of C(getent passwd).
    type: list
    elements: str
    required: true
  group:
    description: The lines of C(getent group).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Create the accounts, only when one is missing or differs
  asgi.deploy.accounts:
    accounts: "{{ accounts }}"
  when: accounts | asgi.deploy.account_changes(passwd.stdout_lines, group.stdout_lines) | length > 0
"""

RETURN = r"""
_value:
  description: The names of the accounts to create or change, in the accounts' order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._accounts import (
    AccountsError, changed, checked, host_groups, host_users)


def _account_changes(accounts, passwd, group):
    try:
        return changed(checked(accounts), host_users(passwd), host_groups(group))
    except AccountsError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"account_changes": _account_changes}
