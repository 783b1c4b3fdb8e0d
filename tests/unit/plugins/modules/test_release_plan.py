# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module on a fake host in a temporary directory: the app's links, slot states and
staged files on disk, a real health server on the live slot's UNIX socket, systemctl's
answers given."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import functools
import hashlib
import http.server
import json
import os
import socketserver
import threading

import pytest

from ansible.module_utils import basic

from ansible_collections.asgi.deploy.plugins.module_utils import _apps
from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._release import fingerprint
from ansible_collections.asgi.deploy.plugins.modules import release_plan

STAGED = {'env': b'A="1"\n', 'gunicorn.conf.py': b'workers = 2\n', 'service.conf': b'[Service]\n',
          'socket.conf': b'[Socket]\n'}


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == '/healthz' else 404)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def address_string(self):
        return 'unix'

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def health_server(path):
    server = socketserver.UnixStreamServer(path, _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(content)


def staged_fingerprint(app, release):
    hashes = dict((name, hashlib.sha256(content).hexdigest()) for name, content in STAGED.items())
    hashes.update({app['service_template']: None, app['socket_template']: None})
    return fingerprint(release, hashes)


@pytest.fixture
def host(tmp_path, monkeypatch):
    """shop serving release r1 from slot a, converged."""
    monkeypatch.setattr(_apps, 'HIDDEN_FROM_APPS', ())
    monkeypatch.setattr(release_plan, 'SYSTEMD_DIR', str(tmp_path / 'systemd'))
    app = normalize_apps([{'name': 'shop', 'module': 'shop.main:app', 'server_names': ['shop.example.test'],
                           'source': {'type': 'pypi', 'spec': 'shop==1.0'}}],
                         root=str(tmp_path / 'srv'), config_dir=str(tmp_path / 'etc'),
                         socket_dir=str(tmp_path / 'run'))[0]
    for release in ('r0', 'r1'):
        write(os.path.join(app['releases_dir'], release, 'release.json'), b'{}')
    for name, content in STAGED.items():
        write(os.path.join(app['staged_dir'], name), content)
    os.makedirs(app['slots_dir'])
    os.makedirs(os.path.dirname(app['slots']['a']['socket']))
    os.symlink('../releases/r1', app['slots']['a']['link'])
    os.symlink('../releases/r0', app['slots']['b']['link'])
    os.symlink(app['slots']['a']['socket'], app['live_socket_link'])
    os.symlink('slots/a', app['current'])
    os.symlink('releases/r0', app['previous'])
    write(os.path.join(app['slots']['a']['config_dir'], 'state.json'),
          json.dumps({'release': 'r1', 'fingerprint': staged_fingerprint(app, 'r1')}).encode())
    states = {app['slots']['a']['service']: ('active', 'enabled'), app['slots']['a']['socket_unit']: ('active', 'enabled')}

    def run_command(module, argv, **kwargs):
        active, enabled = states.get(argv[-1], ('inactive', 'disabled'))
        return 0, 'ActiveState=%s\nUnitFileState=%s\n' % (active, enabled), ''

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    with health_server(app['slots']['a']['socket']):
        yield app


@pytest.fixture
def run(run_main):
    return functools.partial(run_main, release_plan.main)


def steps(result):
    return [step['step'] for step in result['plan']['steps']]


def test_a_converged_host_has_nothing_to_do(host, run):
    failed, result = run({'app': host, 'release': 'r1'})
    assert not failed and not result['changed']
    assert steps(result) == []
    assert result['state']['live_slot'] == 'a' and result['state']['live_healthy'] is True
    assert result['state']['releases'].keys() == {'r0', 'r1'}


def test_a_changed_staged_file_switches_to_the_idle_slot(host, run):
    write(os.path.join(host['staged_dir'], 'env'), b'A="2"\n')
    failed, result = run({'app': host, 'release': 'r1'})
    assert result['plan']['candidate'] == 'b'
    assert 'configure' in steps(result) and 'swap' in steps(result)


def test_check_mode_takes_a_staged_change_it_did_not_write_for_a_change(host, run):
    failed, result = run({'app': host, 'release': 'r1', 'staged_changed': True, '_ansible_check_mode': True})
    assert result['plan']['switch'] is True


def test_an_unrecorded_swap_is_recorded(host, run):
    os.unlink(host['live_socket_link'])
    os.symlink(host['slots']['b']['socket'], host['live_socket_link'])
    failed, result = run({'app': host, 'release': 'r1'})
    assert result['state']['live_slot'] == 'b'
    assert result['plan']['steps'][0] == {'step': 'record', 'current': 'b', 'previous': 'r1'}


def test_a_rollback_goes_to_previous(host, run):
    failed, result = run({'app': host, 'rollback': True})
    assert result['plan']['target'] == 'r0'
    assert result['plan']['previous'] == 'r1'


def test_a_rollback_with_nowhere_to_go_fails_clearly(host, run):
    os.unlink(host['previous'])
    failed, result = run({'app': host, 'rollback': True})
    assert failed
    assert result['msg'] == 'shop: there is no previous release to go back to (live: r1)'


def test_a_changed_process_command_or_unit_template_switches(host, run):
    """The fingerprint covers what the record names beyond the web slot's files: a process's
    staged command and its unit templates."""
    app = dict(host, staged_files=host['staged_files'] + ['process-worker.sh'],
               unit_templates=host['unit_templates'] + ['shop.worker-a@.service'])
    write(os.path.join(host['staged_dir'], 'process-worker.sh'), b'celery worker\n')
    failed, result = run({'app': app, 'release': 'r1'})
    assert not failed and result['plan']['switch'] is True
    # Configured with it, the host is converged; a change of the command or the template switches.
    write(os.path.join(host['slots']['a']['config_dir'], 'state.json'),
          json.dumps({'release': 'r1', 'fingerprint': result['plan']['fingerprint']}).encode())
    failed, result = run({'app': app, 'release': 'r1'})
    assert steps(result) == []
    write(os.path.join(host['staged_dir'], 'process-worker.sh'), b'celery worker -c 2\n')
    failed, result = run({'app': app, 'release': 'r1'})
    assert result['plan']['switch'] is True
    write(os.path.join(host['staged_dir'], 'process-worker.sh'), b'celery worker\n')
    write(os.path.join(str(release_plan.SYSTEMD_DIR), 'shop.worker-a@.service'), b'[Service]\n')
    failed, result = run({'app': app, 'release': 'r1'})
    assert result['plan']['switch'] is True


def test_a_rollback_reads_what_the_kept_configuration_has(host, run):
    """r0 served without the worker added since: its kept configuration lacks the
    process's files, which the rollback then takes from the staged configuration."""
    kept = os.path.join(host['release_configs_dir'], 'r0')
    for name in ('env', 'gunicorn.conf.py', 'service.conf', 'socket.conf', 'fingerprint'):
        write(os.path.join(kept, name), b'kept\n')
    app = dict(host, staged_files=host['staged_files'] + ['process-worker.sh', 'process-worker.conf'])
    failed, result = run({'app': app, 'rollback': True})
    configure = [step for step in result['plan']['steps'] if step['step'] == 'configure'][0]
    assert not failed
    assert (configure['source'], configure['staged_only']) == ('release', ['process-worker.sh', 'process-worker.conf'])
