#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: release_plan
short_description: Plan the release switch of one app from what its host runs
version_added: 0.2.0
description:
  - Reads the app's state on its host, which the release switch leaves there whether or not a run
    finished, and returns the steps that make the host serve the wanted release from one
    slot, the other one stopped and disabled.
  - Read are the live socket link (which slot nginx reaches, the truth), the C(current) and
    C(previous) links, the slots' release links, the fingerprint each slot's configuration
    (its processes' and timers' commands, sandbox and unit templates among it) was written
    with, the slots' service states, the finished releases and the configurations kept
    with them, and the configuration staged for the next switch. The live slot's health path
    is asked once.
  - Never changes anything (full check mode). The role C(asgi.deploy.release) carries the steps out.
  - The plan itself is C(plugins/module_utils/_release.py), where the steps are documented.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  app:
    description:
      - The app's record from the C(asgi.deploy.asgi_apps_normalize) filter (the role C(asgi.deploy.asgi) makes them).
    type: dict
    required: true
  release:
    description:
      - Going forward, the release the role C(asgi.deploy.app) built.
      - Rolling back, the release to go back to; by default the one C(previous) names.
    type: str
  rollback:
    description: Go back to an earlier release instead of forward.
    type: bool
    default: false
  keep:
    description: Releases kept; the live one, C(previous), the target and those a slot names always are.
    type: int
    default: 5
  drain_seconds:
    description: Seconds a slot that served keeps its open connections after the swap, before it stops.
    type: int
    default: 5
  health_status:
    description: The status the live slot's health path answers when it is healthy.
    type: int
    default: 200
  staged_changed:
    description:
      - Whether the run changed the staged configuration; in check mode it was not written, and the
        plan then treats it as changed.
    type: bool
    default: false
  once:
    description:
      - Plan the fleet's once phase instead of the switch. An app with C(pre_activate_once) runs
        its migration hook (C(pre_activate), or C(pre_rollback) rolling back) on one host of the
        play, before any host switches; the switch plans of every host then leave it out.
      - The plan's steps are then the hook step alone, if the host would switch.
    type: bool
    default: false
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
- name: Plan the switch of an app to the release built for it
  asgi.deploy.release_plan:
    app: "{{ app }}"
    release: "{{ app_releases[app.name].release }}"
  register: plan
'''

RETURN = r'''
plan:
  description: The steps, in order, and the app's slots after them.
  returned: always
  type: dict
  contains:
    steps:
      description: One dict per step, C(step) its name (see module_utils/_release.py), with its slot and values.
      type: list
      elements: dict
    switch:
      description: Whether a slot is started and switched to.
      type: bool
    target:
      description: The release that serves after the steps.
      type: str
    candidate:
      description: The slot that is started and switched to, or null.
      type: str
    live_slot:
      description: The slot that serves after the steps.
      type: str
    previous:
      description: The release C(previous) names after the steps, or null.
      type: str
    fingerprint:
      description: The fingerprint of the target release with its configuration.
      type: str
state:
  description: >-
    What was read on the host: the slots, links and releases the plan is made from, and the lines
    of C(systemctl list-units) (C(process_units)) and the unit files (C(process_unit_files)) of the
    app's processes and timers.
  returned: always
  type: dict
'''

import hashlib
import http.client as http_client
import json
import os
import socket
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._release import SLOTS, UP_STATES, PlanError, plan, switch_hooks
from ansible_collections.asgi.deploy.plugins.module_utils._units import properties

# The staged configuration, written by the roles asgi.deploy.app and asgi.deploy.gunicorn.
STAGED_FILES = ('env', 'gunicorn.conf.py', 'service.conf', 'socket.conf')
PROBE_ATTEMPTS = 3
SYSTEMD_DIR = '/etc/systemd/system'


class _UnixConnection(http_client.HTTPConnection):
    def __init__(self, path, timeout):
        http_client.HTTPConnection.__init__(self, 'localhost', timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def _readlink_name(path):
    try:
        return os.path.basename(os.readlink(path)) or None
    except OSError:
        return None


def _sha256(path):
    try:
        with open(path, 'rb') as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except (IOError, OSError):
        return None


def _read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError, ValueError):
        return {}


def _read_text(path):
    try:
        with open(path) as handle:
            return handle.read().strip() or None
    except (IOError, OSError):
        return None


def _unit_state(module, unit):
    rc, out, dummy = module.run_command(['systemctl', 'show', '--property=ActiveState,UnitFileState', unit])
    props = properties(out) if rc == 0 else {}
    return props.get('ActiveState') or 'unknown', props.get('UnitFileState') == 'enabled'


def _healthy(app, socket_path, status):
    for attempt in range(PROBE_ATTEMPTS):
        connection = _UnixConnection(socket_path, timeout=5)
        try:
            # The probe header keeps it out of the app's request metrics.
            connection.request('GET', app['health_path'], headers={'Host': app['health_host'], 'X-Asgi-Deploy-Probe': 'plan'})
            response = connection.getresponse()
            response.read()
            if response.status == status:
                return True
        except (OSError, http_client.HTTPException):
            pass
        finally:
            connection.close()
        if attempt + 1 < PROBE_ATTEMPTS:
            time.sleep(1)
    return False


def read_state(module, app):
    live_target = None
    try:
        live_target = os.readlink(app['live_socket_link'])
    except OSError:
        pass
    slots = {}
    live_slot = None
    for name in SLOTS:
        slot = app['slots'][name]
        active, enabled = _unit_state(module, slot['service'])
        slots[name] = {
            'release': _readlink_name(slot['link']),
            'fingerprint': _read_json(os.path.join(slot['config_dir'], 'state.json')).get('fingerprint'),
            'active': active,
            'socket_active': _unit_state(module, slot['socket_unit'])[0],
            'enabled': enabled,
        }
        if live_target == slot['socket']:
            live_slot = name
    current = _readlink_name(app['current'])
    releases = {}
    if os.path.isdir(app['releases_dir']):
        for name in os.listdir(app['releases_dir']):
            marker = os.path.join(app['releases_dir'], name, 'release.json')
            if os.path.isfile(marker):
                releases[name] = os.stat(marker).st_mtime
    stem = app['unit_stem']
    rc, out, dummy = module.run_command(['systemctl', 'list-units', '--all', '--plain', '--no-legend', '--full', stem + '.*'])
    state = {
        'live_slot': live_slot,
        'current_slot': current if current in SLOTS else None,
        'previous': _readlink_name(app['previous']),
        'releases': releases,
        'slots': slots,
        'live_healthy': bool(live_slot) and slots[live_slot]['active'] in UP_STATES
        and _healthy(app, app['slots'][live_slot]['socket'], module.params['health_status']),
        # The processes' and timers' units systemd has loaded, and their unit files: what
        # follows the live slot after the switch (module_utils/_processes.py decides).
        'process_units': out.splitlines() if rc == 0 else [],
        'process_unit_files': sorted(os.path.join(SYSTEMD_DIR, name) for name in os.listdir(SYSTEMD_DIR)
                                     if name.startswith(stem + '.')) if os.path.isdir(SYSTEMD_DIR) else [],
    }
    return state


def read_wanted(module, app):
    params = module.params
    # The records name the files of their processes and timers too (older records: the web slot's).
    staged = dict((name, _sha256(os.path.join(app['staged_dir'], name))) for name in app.get('staged_files') or STAGED_FILES)
    for template in app.get('unit_templates') or (app['service_template'], app['socket_template']):
        staged[template] = _sha256(os.path.join(SYSTEMD_DIR, template))
    if params['staged_changed'] and module.check_mode:
        staged['check mode'] = 'changed, not written'
    stored, kept_files = {}, {}
    if os.path.isdir(app['release_configs_dir']):
        for name in os.listdir(app['release_configs_dir']):
            kept = os.path.join(app['release_configs_dir'], name)
            value = _read_text(os.path.join(kept, 'fingerprint'))
            if value:
                stored[name] = value
                kept_files[name] = sorted(os.listdir(kept))
    return {
        'rollback': params['rollback'],
        'release': params['release'],
        'staged': staged,
        'stored': stored,
        'kept_files': kept_files,
        'slot_files': list(app.get('staged_files') or STAGED_FILES),
        'hooks': switch_hooks(app, params['once']),
        'once': params['once'],
        'keep': params['keep'],
        'releases_dir': app['releases_dir'],
        'release_configs_dir': app['release_configs_dir'],
        'drain_seconds': params['drain_seconds'],
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            app=dict(type='dict', required=True),
            release=dict(type='str'),
            rollback=dict(type='bool', default=False),
            keep=dict(type='int', default=5),
            drain_seconds=dict(type='int', default=5),
            health_status=dict(type='int', default=200),
            staged_changed=dict(type='bool', default=False),
            once=dict(type='bool', default=False),
        ),
        required_if=[('rollback', False, ('release',))],
        supports_check_mode=True,
    )
    app = module.params['app']
    try:
        state = read_state(module, app)
        steps = plan(state, read_wanted(module, app))
    except KeyError as exc:
        module.fail_json(msg='app is not a record of the asgi_apps_normalize filter: missing %s' % exc)
    except PlanError as exc:
        module.fail_json(msg='%s: %s' % (app['name'], exc))
    module.exit_json(changed=False, plan=steps, state=state)


if __name__ == '__main__':
    main()
