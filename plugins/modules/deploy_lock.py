#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: deploy_lock
short_description: Take or give back the deploy lock of one app
version_added: 0.2.0
description:
  - One run at a time builds and switches an app's releases. The lock is a file below C(/run) (a
    reboot frees it) naming its holder, that is the controller's host, the PID and start time of its
    C(ansible-playbook), the user and when it was taken.
  - A run that finds the lock held waits up to O(wait) seconds, then fails naming the holder.
    A holder on the same controller whose process is gone (the run was killed) is taken over at once;
    one on another controller once O(expire) seconds have passed.
  - The waiting and the holder's identity are the action plugin's; the module on the host takes and
    gives back the file atomically.
  - Changes no configuration; it always reports C(changed=false). In check mode nothing is locked.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  path:
    description: The lock file.
    type: path
    required: true
  state:
    description: V(acquired) takes the lock, V(released) gives it back (only its holder's).
    type: str
    choices: [acquired, released]
    default: acquired
  wait:
    description: Seconds to wait for a lock another run holds.
    type: int
    default: 120
  expire:
    description: Seconds after which a lock that another controller holds is taken as abandoned.
    type: int
    default: 3600
  holder:
    description:
      - Who takes the lock. Set by the action plugin from the controller's process; not to be given.
    type: dict
    required: true
  expect:
    description:
      - A holder whose lock may be taken over (the action plugin found its process gone); not to be given.
    type: dict
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
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
- name: Take the deploy lock of an app
  asgi.deploy.deploy_lock:
    path: /run/asgi-deploy/locks/shop.lock
    wait: 300

- name: Give it back
  asgi.deploy.deploy_lock:
    path: /run/asgi-deploy/locks/shop.lock
    state: released
'''

RETURN = r'''
holder:
  description: Who holds the lock now (null once released).
  returned: always
  type: dict
took_over:
  description: The holder whose abandoned lock was taken over, or null.
  returned: always
  type: dict
'''

import errno
import fcntl
import json
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._lock import ACQUIRE, REENTER, TAKE_OVER, decide, same_holder


def _read(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return None


def _write(path, holder):
    temporary = path + '.new'
    with open(temporary, 'w') as handle:
        json.dump(holder, handle)
    os.chmod(temporary, 0o644)
    os.rename(temporary, path)


def _try(path, me, expect, expire):
    """One attempt under the guard: (acquired, holder now, holder taken over)."""
    with open(path + '.guard', 'a') as guard:
        # The guard serializes the runs that read and replace the lock at the same moment.
        fcntl.flock(guard, fcntl.LOCK_EX)
        held_by = _read(path)
        # The host cannot see the controller's processes: only expiry frees another's lock.
        decision = decide(held_by, me, time.time(), lambda holder: not same_holder(holder, expect), expire)
        if decision == ACQUIRE or decision == TAKE_OVER:
            _write(path, me)
            return True, me, held_by
        return decision == REENTER, held_by, None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            state=dict(type='str', choices=['acquired', 'released'], default='acquired'),
            wait=dict(type='int', default=120),
            expire=dict(type='int', default=3600),
            holder=dict(type='dict', required=True),
            expect=dict(type='dict'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path, me = params['path'], params['holder']
    if module.check_mode:
        module.exit_json(changed=False, acquired=False, holder=_read(path), took_over=None)
    if params['state'] == 'released' and not os.path.exists(path):
        # Nothing to give back; a run that failed before the lock changes nothing here.
        module.exit_json(changed=False, acquired=False, holder=None, took_over=None)
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, 0o755)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            module.fail_json(msg='cannot create %s: %s' % (directory, exc))
    if params['state'] == 'released':
        with open(path + '.guard', 'a') as guard:
            fcntl.flock(guard, fcntl.LOCK_EX)
            held_by = _read(path)
            if same_holder(held_by, me):
                os.unlink(path)
                held_by = None
        module.exit_json(changed=False, acquired=False, holder=held_by, took_over=None)
    deadline = time.time() + params['wait']
    while True:
        acquired, holder, took_over = _try(path, me, params['expect'], params['expire'])
        if acquired or time.time() >= deadline:
            module.exit_json(changed=False, acquired=acquired, holder=holder, took_over=took_over)
        time.sleep(1)


if __name__ == '__main__':
    main()
