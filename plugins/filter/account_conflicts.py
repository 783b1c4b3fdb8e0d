# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter account_conflicts: the accounts' names the host has as a user or group asgi.deploy did not make (module_utils/_accounts.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: account_conflicts
short_description: The names of accounts that would take over a user or group of the host asgi.deploy did not make
version_added: 0.1.0
description:
  - The same check as M(asgi.deploy.accounts) makes before it changes anything, made from the lines of
    C(getent passwd) and C(getent group), which the role C(asgi.deploy.asgi) reads in the command it
    already runs on the host, so no module run is spent on it.
  - An account conflicts when its name is a user or a group of the host and not the user whose comment
    is the account's own comment.
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
- name: Refuse an app named like an account of the host
  ansible.builtin.fail:
    msg: "{{ item }} is an existing user or group of the host"
  loop: "{{ accounts | asgi.deploy.account_conflicts(passwd.stdout_lines, group.stdout_lines) }}"
"""

RETURN = r"""
_value:
  description: The names of the conflicting accounts, in the accounts' order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._accounts import (
    AccountsError, checked, conflicts, host_groups, host_users)


def _account_conflicts(accounts, passwd, group):
    try:
        return conflicts(checked(accounts), host_users(passwd), host_groups(group))
    except AccountsError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"account_conflicts": _account_conflicts}
