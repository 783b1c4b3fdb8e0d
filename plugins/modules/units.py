#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: units
short_description: Start, stop, restart, enable and disable several systemd units, in one module call
version_added: 0.1.0
description:
  - Each entry names a unit and its wanted O(units[].state), O(units[].enabled) or both. Only what differs
    from what systemd reports is run, unit by unit in the order given, each unit enabled or disabled
    before it is started, stopped or restarted (as M(ansible.builtin.systemd_service) does).
  - Every unit is read before the first change. A unit systemd does not know fails the task when it
    is to be started, restarted or enabled, naming it; stopping or disabling it has nothing to do.
  - A verb that fails stops the task there, with systemctl's message; the units before it keep
    their new state.
  - The collection's roles run their units with it. A task per unit cost a module run each.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  units:
    description: The units, in the order they are brought to their state. Give O(units) or O(names).
    type: list
    elements: dict
    suboptions:
      name:
        description: The unit's full name, for example V(nginx.service) or V(asgi-hello@a.socket).
        type: str
        required: true
      state:
        description:
          - V(started) starts a unit that is not running, V(stopped) stops one that is, V(restarted)
            always restarts it.
        type: str
        choices: [started, stopped, restarted]
      enabled:
        description: Whether the unit starts at boot.
        type: bool
  names:
    description: Units that all get O(state) and O(enabled), in this order. Give O(units) or O(names).
    type: list
    elements: str
  state:
    description: The state of the units of O(names), as O(units[].state).
    type: str
    choices: [started, stopped, restarted]
  enabled:
    description: Whether the units of O(names) start at boot.
    type: bool
  daemon_reload:
    description: Run C(systemctl daemon-reload) before any unit changes, so systemd reads changed unit files.
    type: bool
    default: false
  drain_sockets:
    description:
      - UNIX socket paths (the paths the sockets are bound to, not links to them) whose open connections
        end before any unit changes. The task waits until none is open, read from C(/proc/net/unix), at
        most O(drain_seconds), then brings the units to their state.
      - A release switch stops the slot that served this way, once nginx's kept-alive connections to it
        aged out and its WebSockets and event streams ended, or when the drain time is up.
      - Check mode does not wait.
    type: list
    elements: path
    default: []
  drain_seconds:
    description: The longest wait for O(drain_sockets) to have no connection open.
    type: float
    default: 0
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
- name: Load the slot's unit settings, then start its socket and restart its service
  asgi.deploy.units:
    daemon_reload: true
    units:
      - {name: asgi-hello@b.socket, state: started}
      - {name: asgi-hello@b.service, state: restarted}

- name: Stop the old slot and keep it from starting at boot
  asgi.deploy.units:
    names: [asgi-hello@a.service, asgi-hello@a.socket]
    state: stopped
    enabled: false

- name: Stop the old slot once its clients are gone, after 5 seconds at most
  asgi.deploy.units:
    names: [asgi-hello@a.service, asgi-hello@a.socket]
    state: stopped
    enabled: false
    drain_sockets: [/run/asgi-deploy/hello-a.sock]
    drain_seconds: 5
'''

RETURN = r'''
units:
  description: Per unit, its name and the systemctl verbs run for it (or that would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{name: asgi-hello@b.socket, verbs: [start]}, {name: asgi-hello@b.service, verbs: [restart]}]
drain:
  description:
    - How long the task waited for O(drain_sockets) to drain, and how many connections were still open
      when it stopped waiting (0 when they drained; more when the drain time ran out).
    - Zero seconds and the connections open at the start in check mode, which does not wait.
  returned: always
  type: dict
  sample: {seconds: 1.8, open: 0}
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._drain import drain

from ansible_collections.asgi.deploy.plugins.module_utils._units import UnitsError, checked, properties, verbs


def _found(module, systemctl, entry):
    code, out, err = module.run_command([systemctl, 'show', '--property=LoadState,ActiveState', '--', entry['name']])
    if code != 0:
        module.fail_json(msg='%s: systemctl show exited %d: %s' % (entry['name'], code, (err or out).strip()))
    shown = properties(out)
    found = {'load': shown.get('LoadState'), 'active': shown.get('ActiveState'), 'enabled': None}
    if entry.get('enabled') is not None:
        # It prints the unit file's state and exits 1 for a disabled one.
        dummy, out, dummy = module.run_command([systemctl, 'is-enabled', '--', entry['name']])
        found['enabled'] = out.strip() or None
    return found


def _proc_net_unix():
    with open('/proc/net/unix') as handle:
        return handle.read()


def main():
    module = AnsibleModule(
        argument_spec=dict(
            units=dict(type='list', elements='dict', options=dict(
                name=dict(type='str', required=True),
                state=dict(type='str', choices=['started', 'stopped', 'restarted']),
                enabled=dict(type='bool'),
            )),
            names=dict(type='list', elements='str'),
            state=dict(type='str', choices=['started', 'stopped', 'restarted']),
            enabled=dict(type='bool'),
            daemon_reload=dict(type='bool', default=False),
            drain_sockets=dict(type='list', elements='path', default=[]),
            drain_seconds=dict(type='float', default=0),
        ),
        required_one_of=[('units', 'names')],
        mutually_exclusive=[('units', 'names'), ('units', 'state'), ('units', 'enabled')],
        supports_check_mode=True,
    )
    systemctl = module.get_bin_path('systemctl', required=True)
    params = module.params
    given = params['units'] if params['units'] is not None else [
        dict(name=name, state=params['state'], enabled=params['enabled']) for name in params['names']]
    entries = [dict((key, value) for key, value in entry.items() if value is not None) for entry in given]
    try:
        checked(entries)
    except UnitsError as error:
        module.fail_json(msg=str(error))
    drained = drain(_proc_net_unix, time.monotonic, time.sleep, params['drain_sockets'],
                    0 if module.check_mode else params['drain_seconds'])
    if module.params['daemon_reload'] and not module.check_mode:
        code, out, err = module.run_command([systemctl, 'daemon-reload'])
        if code != 0:
            module.fail_json(msg='systemctl daemon-reload exited %d: %s' % (code, (err or out).strip()))
    try:
        planned = [(entry['name'], verbs(entry, _found(module, systemctl, entry), module.check_mode)) for entry in entries]
    except UnitsError as error:
        module.fail_json(msg=str(error))
    done = []
    for name, unit_verbs in planned:
        if not module.check_mode:
            for verb in unit_verbs:
                code, out, err = module.run_command([systemctl, verb, '--', name])
                if code != 0:
                    module.fail_json(msg='Unable to %s %s: %s' % (verb, name, (err or out).strip()),
                                     units=done + [dict(name=name, verbs=unit_verbs)])
        done.append(dict(name=name, verbs=unit_verbs))
    module.exit_json(changed=any(unit['verbs'] for unit in done), units=done, drain=drained)


if __name__ == '__main__':
    main()
