#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: health_gate
short_description: Probe a new slot's health path on its own socket, and refuse it at its service's first crash
version_added: 0.1.0
description:
  - Sends C(GET) O(path) over the UNIX socket O(socket) until the answer is O(status), at most
    1 + O(retries) times, O(delay) seconds apart, each probe waiting at most O(timeout) seconds.
  - Between the probes it reads the state of the slot's systemd service O(unit). A service that failed,
    stopped, or exited and was restarted by systemd more than O(restarts) times ends the gate at once;
    a release whose server crashes at start is refused in seconds, not after every probe has timed out
    on a socket that systemd still holds open.
  - Every probe carries C(X-Asgi-Deploy-Probe), so the app's request metrics do not count it.
  - One module run for the whole gate. Changes nothing on the host; in check mode it probes as well.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  socket:
    description: The slot's UNIX socket.
    type: path
    required: true
  path:
    description: The health path, with its query if any.
    type: str
    default: /healthz
  host:
    description: The C(Host) header of the probes (one of the app's server names).
    type: str
    default: localhost
  status:
    description: The status that passes.
    type: int
    default: 200
  timeout:
    description: Seconds one probe may take.
    type: float
    default: 5
  retries:
    description: Probes after the first before the slot is declared unhealthy.
    type: int
    default: 20
  delay:
    description: Seconds between two probes.
    type: float
    default: 1
  unit:
    description: The slot's systemd service, watched between the probes. Without it only the probes decide.
    type: str
  restarts:
    description: Automatic restarts of O(unit) by systemd that the gate tolerates before it refuses the slot.
    type: int
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
- name: Probe the new slot before traffic switches to it
  asgi.deploy.health_gate:
    socket: /run/asgi-deploy/shop/b.sock
    path: /healthz
    host: shop.example.com
    unit: asgi-shop@b.service
'''

RETURN = r'''
status:
  description: The status of the last answer, or null when the last probe got none.
  returned: always
  type: int
attempts:
  description: Probes made.
  returned: always
  type: int
seconds:
  description: Seconds the gate took.
  returned: always
  type: float
reason:
  description: Why the slot did not pass (its service's state, or the last probe's answer), null when it passed.
  returned: always
  type: str
'''

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._health import (
    UNIT_PROPERTIES, gate, probe, unit_properties, unit_verdict)

PROBE_HEADERS = {'X-Asgi-Deploy-Probe': 'gate'}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            socket=dict(type='path', required=True),
            path=dict(type='str', default='/healthz'),
            host=dict(type='str', default='localhost'),
            status=dict(type='int', default=200),
            timeout=dict(type='float', default=5),
            retries=dict(type='int', default=20),
            delay=dict(type='float', default=1),
            unit=dict(type='str'),
            restarts=dict(type='int', default=0),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params['path'].startswith('/'):
        module.fail_json(msg='path must start with /: %r' % params['path'])
    systemctl = module.get_bin_path('systemctl', required=bool(params['unit']))

    def unit_state():
        if not params['unit']:
            return None
        code, out, err = module.run_command(
            [systemctl, 'show', '--property=' + ','.join(UNIT_PROPERTIES), '--', params['unit']])
        if code != 0:
            return 'systemctl show %s exited %d: %s' % (params['unit'], code, (err or out).strip())
        return unit_verdict(params['unit'], unit_properties(out), params['restarts'])

    result = gate(lambda: probe(params['socket'], params['host'], params['path'], PROBE_HEADERS, params['timeout']),
                  unit_state, time.sleep, time.monotonic, params['retries'], params['delay'], params['status'])
    passed = result.pop('passed')
    if not passed:
        module.fail_json(msg='%s did not pass its health check on %s (%d probes in %.1f s): %s' % (
            params['unit'] or params['socket'], params['path'], result['attempts'], result['seconds'], result['reason']),
            changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
