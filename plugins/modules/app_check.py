#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: app_check
short_description: Smoke-test one deployed app through nginx and its release slots
version_added: 0.1.0
description:
  - Runs on the app's host and asks its nginx, as a client would, for the app's health path on every
    server name (HTTPS with the name as TLS server name and C(Host), the certificate verified for that
    name), how many days the certificate has left, that plain HTTP redirects to HTTPS, and that HSTS is sent.
  - Reads the release slots, and checks that the live socket link points at a slot whose socket and
    service are running, that C(current) names that slot, and that the idle slot is stopped.
  - Never changes anything. Reports V(healthy) and one line for the operator; it does not fail
    when the app is unhealthy, so that every app is reported (the playbook C(asgi.deploy.verify) fails then).
  - Wildcard and regular-expression server names are not requested.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  app:
    description:
      - The app's record from the C(asgi.deploy.asgi_apps_normalize) filter (the role C(asgi.deploy.asgi) makes them).
      - Its keys C(name), C(server_names), C(health_path), C(tls.mode), C(live_socket_link), C(current) and C(slots) are read.
    type: dict
    required: true
  address:
    description:
      - Where nginx listens on the host.
    type: str
    default: 127.0.0.1
  https_port:
    description: nginx's HTTPS port.
    type: int
    default: 443
  http_port:
    description: nginx's plain HTTP port.
    type: int
    default: 80
  ca_file:
    description:
      - PEM file of the certificates to trust for the app's certificate, on the host.
      - The system's trusted CAs when not given.
    type: path
  min_cert_days:
    description:
      - Fewest days the certificate may have left; fewer is a failure.
    type: int
    default: 14
  hsts:
    description:
      - Whether a C(Strict-Transport-Security) header is expected over HTTPS.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each connection and answer.
    type: int
    default: 10
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
- name: Check an app as the asgi role describes it
  asgi.deploy.app_check:
    app: "{{ item }}"
    ca_file: "{{ item.cert_path if item.tls.mode == 'selfsigned' else omit }}"
    min_cert_days: 21
  loop: "{{ asgi_app_records }}"
  register: checks
'''

RETURN = r'''
healthy:
  description: Whether every check passed.
  returned: always
  type: bool
  sample: true
line:
  description: One line for the operator naming the live slot, its release, the names checked and the certificate's days left.
  returned: always
  type: str
  sample: "shop ok: live slot b, release r-0123abcd4567, 2 names, certificate 83 days left"
failures:
  description: What failed, one sentence each.
  returned: always
  type: list
  elements: str
  sample: ["the live slot's asgi-shop@b.service is failed"]
observed:
  description: What was seen, per server name and for the slots.
  returned: always
  type: dict
'''

import http.client as http_client
import os
import socket
import ssl
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._verify import concrete_names, evaluate


class _TLSConnection(http_client.HTTPConnection):
    """HTTPS to a fixed address, with the app's name as TLS server name and Host."""

    def __init__(self, address, port, server_name, context, timeout):
        http_client.HTTPConnection.__init__(self, server_name, port, timeout=timeout)
        self._address, self._context = address, context

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _https(params, name, path):
    context = ssl.create_default_context(cafile=params['ca_file'])
    connection = _TLSConnection(params['address'], params['https_port'], name, context, params['timeout'])
    try:
        connection.request('GET', path, headers={'Host': name})
        # Read before the answer: a server that closes after it leaves no socket to ask.
        not_after = connection.sock.getpeercert().get('notAfter')
        response = connection.getresponse()
        response.read()
        return {
            'status': response.status,
            'hsts': response.getheader('Strict-Transport-Security'),
            'not_after': ssl.cert_time_to_seconds(not_after) if not_after else None,
        }
    except ssl.SSLCertVerificationError as exc:
        return {'error': 'certificate not valid for this name: %s' % (exc.verify_message or exc)}
    except (OSError, http_client.HTTPException) as exc:
        return {'error': '%s: %s' % (type(exc).__name__, exc)}
    finally:
        connection.close()


def _http(params, name, path):
    connection = http_client.HTTPConnection(params['address'], params['http_port'], timeout=params['timeout'])
    try:
        connection.request('GET', path, headers={'Host': name})
        response = connection.getresponse()
        response.read()
        return {'status': response.status, 'location': response.getheader('Location')}
    except (OSError, http_client.HTTPException) as exc:
        return {'error': '%s: %s' % (type(exc).__name__, exc)}
    finally:
        connection.close()


def _readlink(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def _unit_states(module, units):
    states = {}
    for unit in units:
        rc, out, err = module.run_command(['systemctl', 'show', '--property=ActiveState', '--value', unit])
        states[unit] = out.strip() if rc == 0 and out.strip() else 'unknown'
    return states


def main():
    module = AnsibleModule(
        argument_spec=dict(
            app=dict(type='dict', required=True),
            address=dict(type='str', default='127.0.0.1'),
            https_port=dict(type='int', default=443),
            http_port=dict(type='int', default=80),
            ca_file=dict(type='path'),
            min_cert_days=dict(type='int', default=14),
            hsts=dict(type='bool', default=True),
            timeout=dict(type='int', default=10),
        ),
        supports_check_mode=True,
    )
    params, app = module.params, module.params['app']
    try:
        tls = app['tls']['mode'] != 'off'
        names = {}
        for name in concrete_names(app['server_names']):
            if tls:
                names[name] = {'https': _https(params, name, app['health_path']), 'http': _http(params, name, '/')}
            else:
                names[name] = {'http': _http(params, name, app['health_path'])}
        live_target = _readlink(app['live_socket_link'])
        slot_units = [unit for slot in app['slots'].values() for unit in (slot['socket_unit'], slot['service'])]
        slots = {
            'live_target': live_target,
            'current_target': _readlink(app['current']),
            'release_target': None,
            'units': _unit_states(module, slot_units),
        }
        for slot in app['slots'].values():
            if slot['socket'] == live_target:
                slots['release_target'] = _readlink(slot['link'])
        observed = {'names': names, 'slots': slots}
        healthy, failures, line = evaluate(app, observed, params['min_cert_days'], params['hsts'], time.time())
    except (KeyError, TypeError) as exc:
        module.fail_json(msg='app is not a record of the asgi_apps_normalize filter: missing %s' % exc)
    module.exit_json(changed=False, healthy=healthy, failures=failures, line=line, observed=observed)


if __name__ == '__main__':
    main()
