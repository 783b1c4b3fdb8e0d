# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import functools
import os

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils import _workers
from ansible_collections.asgi.deploy.plugins.modules import gunicorn_workers

RETURN_KEYS = {'changed', 'workers', 'cpus', 'memory_mb', 'bound', 'reason', 'sources'}


@pytest.fixture
def run_module(run_main):
    """Run the module's main() with the given args; return (failed, result)."""
    return functools.partial(run_main, gunicorn_workers.main)


@pytest.fixture
def fake_host(tmp_path, monkeypatch):
    """Point the module's host readers at a fake v2 tree: 4 CPUs, 1.5 CPU quota, 1 GiB limit, 24 MB in use."""
    files = {
        'proc/meminfo': 'MemAvailable: %d kB\n' % (2048 * 1024),
        'proc/self/cgroup': '0::/app.service\n',
        'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
        'sys/fs/cgroup/app.service/cpu.max': '150000 100000\n',
        'sys/fs/cgroup/app.service/memory.max': '%d\n' % (1024 * 1024 * 1024),
        'sys/fs/cgroup/app.service/memory.current': '%d\n' % (24 * 1024 * 1024),
    }
    for path, content in files.items():
        target = tmp_path.joinpath(*path.split('/'))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    monkeypatch.setattr(gunicorn_workers, 'read_cpus', functools.partial(_workers.read_cpus, str(tmp_path), affinity=4))
    monkeypatch.setattr(gunicorn_workers, 'read_memory', functools.partial(_workers.read_memory, str(tmp_path)))


GIVEN = {'cpus': 2, 'memory_mb': 4096}


@pytest.mark.parametrize('args, expected', [
    pytest.param(GIVEN, {
        'changed': False, 'workers': 4, 'cpus': 2.0, 'memory_mb': 3840, 'bound': 'cpu',
        'reason': '4 workers: 2 per usable CPU (2.0 CPUs given, shared by 1 app)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-async'),
    pytest.param(dict(GIVEN, worker_class='sync', apps=2), {
        'changed': False, 'workers': 3, 'cpus': 1.0, 'memory_mb': 1920, 'bound': 'cpu',
        'reason': '3 workers: 2 per usable CPU plus 1 (2.0 CPUs given, shared by 2 apps)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-sync-two-apps'),
    pytest.param(dict(GIVEN, worker_class='gthread', threads=4, thread_memory_mb=32, memory_mb=640), {
        'changed': False, 'workers': 2, 'cpus': 2.0, 'memory_mb': 384, 'bound': 'memory',
        'reason': '2 workers: 384 MB of memory at 160 MB each (64 MB and 3 more threads at 32 MB) '
                  '(640 MB given, minus 256 MB reserved, shared by 1 app)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-gthread-threads-memory'),
    pytest.param(dict(GIVEN, cpus=1, memory_mb=384), {
        'changed': False, 'workers': 2, 'cpus': 1.0, 'memory_mb': 128, 'bound': 'cpu',
        'reason': '2 workers: 2 per usable CPU (1.0 CPUs given, shared by 1 app)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-tie-cpu'),
    pytest.param(dict(GIVEN, cpus=8, memory_mb=400), {
        'changed': False, 'workers': 2, 'cpus': 8.0, 'memory_mb': 144, 'bound': 'memory',
        'reason': '2 workers: 144 MB of memory at 64 MB each (400 MB given, minus 256 MB reserved, shared by 1 app)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-memory-bound'),
    pytest.param(dict(GIVEN, cpus=16, max_workers=3), {
        'changed': False, 'workers': 3, 'cpus': 16.0, 'memory_mb': 3840, 'bound': 'max',
        'reason': '3 workers: capped by max_workers (CPU allows 32, memory allows 60)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='given-max'),
    pytest.param(dict(GIVEN, min_workers=5, _ansible_check_mode=True), {
        'changed': False, 'workers': 5, 'cpus': 2.0, 'memory_mb': 3840, 'bound': 'min',
        'reason': '5 workers: raised to min_workers (CPU allows 4, memory allows 60)',
        'sources': {'cpus': 'given', 'memory_mb': 'given'},
    }, id='check-mode-min'),
    pytest.param({'worker_memory_mb': 100, 'reserved_memory_mb': 200}, {
        'changed': False, 'workers': 4, 'cpus': 1.5, 'memory_mb': 824, 'bound': 'cpu',
        'reason': '4 workers: 2 per usable CPU (1.5 CPUs from affinity 4 and cgroup v2 cpu.max quota 1.5, '
                  'shared by 1 app)',
        'sources': {'cpus': 'cgroup v2 cpu.max', 'memory_mb': 'cgroup v2 memory.max'},
    }, id='read-fake-host'),
    pytest.param({'cpus': 6, 'worker_memory_mb': 200, '_ansible_check_mode': True}, {
        'changed': False, 'workers': 3, 'cpus': 6.0, 'memory_mb': 768, 'bound': 'memory',
        'reason': '3 workers: 768 MB of memory at 200 MB each (1024 MB from MemAvailable 2048 MB and '
                  'cgroup v2 memory.max 1024 MB, minus 256 MB reserved, shared by 1 app)',
        'sources': {'cpus': 'given', 'memory_mb': 'cgroup v2 memory.max'},
    }, id='read-fake-host-memory-only-check-mode'),
])
def test_result(run_module, fake_host, args, expected):
    failed, result = run_module(args)
    assert not failed
    assert {key: result[key] for key in RETURN_KEYS} == expected


@pytest.mark.skipif(not os.path.exists('/proc/meminfo'), reason='reads a Linux host')
def test_reads_this_host(run_module):
    failed, result = run_module({'_ansible_check_mode': True, 'worker_memory_mb': 1, 'reserved_memory_mb': 0})
    assert not failed
    assert RETURN_KEYS <= set(result)
    assert result['changed'] is False and result['workers'] >= 1
    assert result['sources']['cpus'] != 'given' and result['sources']['memory_mb'] != 'given'


@pytest.mark.parametrize('args, message', [
    pytest.param(dict(GIVEN, cpus=0), 'cpus must be above 0', id='cpus-zero'),
    pytest.param(dict(GIVEN, cpus='two'), 'cpus', id='cpus-not-a-number'),
    pytest.param(dict(GIVEN, memory_mb=-5), 'memory_mb must be at least 1', id='memory-negative'),
    pytest.param(dict(GIVEN, memory_mb='4G'), 'memory_mb', id='memory-not-a-number'),
    pytest.param(dict(GIVEN, worker_memory_mb=0), 'worker_memory_mb must be at least 1', id='worker-memory-zero'),
    pytest.param(dict(GIVEN, reserved_memory_mb=-1), 'reserved_memory_mb must be at least 0', id='reserved-negative'),
    pytest.param(dict(GIVEN, apps=0), 'apps must be at least 1', id='apps-zero'),
    pytest.param(dict(GIVEN, min_workers=0), 'min_workers must be at least 1', id='min-zero'),
    pytest.param(dict(GIVEN, max_workers=0), 'max_workers must be at least 1', id='max-zero'),
    pytest.param(dict(GIVEN, min_workers=5, max_workers=2), 'min_workers (5) is above max_workers (2)',
                 id='min-above-max'),
    pytest.param(dict(GIVEN, worker_class='eventlet'), 'worker_class', id='unknown-class'),
    pytest.param(dict(GIVEN, worker_class='sync', threads=4), 'threads (4) needs worker_class gthread',
                 id='threads-with-sync'),
    pytest.param(dict(GIVEN, memory_mb=436, min_workers=4),
                 'memory for 1 app is 180 MB of 436 MB after reserving 256 MB, but min_workers=4 needs 256 MB '
                 'at 64 MB each: 76 MB missing', id='memory-missing'),
    pytest.param(dict(GIVEN, memory_mb=300, _ansible_check_mode=True), '20 MB missing', id='memory-missing-check-mode'),
])
def test_failure(run_module, args, message):
    failed, result = run_module(args)
    assert failed
    assert message in result['msg']
