#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: accounts
short_description: Make several system users, each with its own group, in one module call
version_added: 0.1.0
description:
  - Each account is a system user with a group of its own name (or the one given), a home that is
    not created, a shell and a comment. A missing group or user is created; an existing user's group,
    home, shell or comment is set as given. Nothing else of an existing account changes (its uid stays).
  - The comment marks the accounts asgi.deploy made. A user or group that exists with the name of an
    account but without that comment is refused, before anything changes, naming it
    (RV(conflicts)). Run it in check mode to learn that before anything else changes.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  accounts:
    description: The accounts, in the order they are made.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The user's name.
        type: str
        required: true
      group:
        description: The user's group, created when missing.
        type: str
        required: true
      home:
        description: The user's home directory, recorded but not created.
        type: path
        required: true
      shell:
        description: The user's shell.
        type: path
        default: /usr/sbin/nologin
      comment:
        description: The user's comment, which marks it as made by the caller.
        type: str
        required: true
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
'''

EXAMPLES = r'''
- name: Create the build user and an app's user
  asgi.deploy.accounts:
    accounts:
      - {name: asgi-build, group: asgi-build, home: /nonexistent, comment: asgi.deploy build user}
      - {name: hello, group: hello, home: /srv/hello, comment: asgi.deploy app hello}
'''

RETURN = r'''
accounts:
  description: Per account, its name and the commands run for it (or that would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{name: hello, commands: [[groupadd, --system, hello]]}]
conflicts:
  description: The names that belong to a user or group asgi.deploy did not make; the task fails when any does.
  returned: always
  type: list
  elements: str
'''

import grp
import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._accounts import AccountsError, checked, commands, conflicts


def _host():
    users = dict((entry.pw_name, {'gid': entry.pw_gid, 'comment': entry.pw_gecos, 'home': entry.pw_dir,
                                  'shell': entry.pw_shell}) for entry in pwd.getpwall())
    groups = dict((entry.gr_name, entry.gr_gid) for entry in grp.getgrall())
    return users, groups


def main():
    module = AnsibleModule(
        argument_spec=dict(
            accounts=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                group=dict(type='str', required=True),
                home=dict(type='path', required=True),
                shell=dict(type='path', default='/usr/sbin/nologin'),
                comment=dict(type='str', required=True),
            )),
        ),
        supports_check_mode=True,
    )
    try:
        accounts = checked(module.params['accounts'])
    except AccountsError as error:
        module.fail_json(msg=str(error))
    users, groups = _host()
    taken = conflicts(accounts, users, groups)
    if taken:
        module.fail_json(msg='%s: an existing user or group of the host that asgi.deploy did not make (its comment '
                             'differs); it is never taken over' % ', '.join(taken), conflicts=taken, accounts=[])
    done = []
    for name, argvs in commands(accounts, users, groups):
        if not module.check_mode:
            for argv in argvs:
                code, out, err = module.run_command(argv)
                if code != 0:
                    module.fail_json(msg='%s exited %d: %s' % (' '.join(argv), code, (err or out).strip()),
                                     conflicts=[], accounts=done + [dict(name=name, commands=argvs)])
        done.append(dict(name=name, commands=argvs))
    module.exit_json(changed=any(account['commands'] for account in done), accounts=done, conflicts=[])


if __name__ == '__main__':
    main()
