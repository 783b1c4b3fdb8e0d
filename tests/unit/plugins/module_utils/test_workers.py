# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.filter.gunicorn_servers import FilterModule as ServersFilter
from ansible_collections.asgi.deploy.plugins.filter.gunicorn_sizings import FilterModule as SizingsFilter
from ansible_collections.asgi.deploy.plugins.module_utils._workers import (
    WorkerSizingError,
    app_servers,
    parse_cfs,
    parse_cpu_list,
    parse_cpu_max,
    parse_meminfo,
    parse_memory_limit,
    parse_proc_cgroup,
    read_cpus,
    read_memory,
    size_workers,
    sizings,
)

MIB = 1024 * 1024
GIB = 1024 * MIB


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


# --- parsers -----------------------------------------------------------------

@pytest.mark.parametrize('text, expected', [
    case('v2-unlimited-with-period', 'max 100000\n', None),
    case('v2-unlimited-bare', 'max', None),
    case('v2-half-cpu', '50000 100000\n', 0.5),
    case('v2-one-and-a-half', '150000 100000', 1.5),
    case('v2-two-cpus', '200000 100000', 2.0),
    case('v2-quota-only-default-period', '250000', 2.5),
])
def test_parse_cpu_max(text, expected):
    assert parse_cpu_max(text) == expected


@pytest.mark.parametrize('text', [
    case('empty', ''),
    case('words', 'lots 100000'),
    case('zero-quota', '0 100000'),
    case('zero-period', '50000 0'),
    case('three-fields', '1 2 3'),
])
def test_parse_cpu_max_rejects(text):
    with pytest.raises(WorkerSizingError, match='cpu.max'):
        parse_cpu_max(text)


@pytest.mark.parametrize('quota, period, expected', [
    case('v1-unlimited', '-1\n', '100000\n', None),
    case('v1-half-cpu', '50000\n', '100000\n', 0.5),
    case('v1-fractional', '125000', '100000', 1.25),
    case('v1-short-period', '30000', '10000', 3.0),
    case('v1-third-cpu', '33333', '100000', 0.33333),
])
def test_parse_cfs(quota, period, expected):
    assert parse_cfs(quota, period) == expected


@pytest.mark.parametrize('quota, period, field', [
    case('quota-not-number', 'x', '100000', 'cpu.cfs_quota_us'),
    case('period-not-number', '50000', '', 'cpu.cfs_period_us'),
    case('zero-period', '50000', '0', 'cpu.cfs_period_us'),
])
def test_parse_cfs_rejects(quota, period, field):
    with pytest.raises(WorkerSizingError, match=field):
        parse_cfs(quota, period)


@pytest.mark.parametrize('text, expected', [
    case('range-and-single', '0-3,5\n', 5),
    case('single', '0', 1),
    case('two-singles', '1,3', 2),
    case('empty', '', 0),
    case('empty-newline', '\n', 0),
    case('two-ranges', '0-7,16-23', 16),
])
def test_parse_cpu_list(text, expected):
    assert parse_cpu_list(text) == expected


@pytest.mark.parametrize('text', [
    case('backwards-range', '3-1'),
    case('garbage', 'a-b'),
])
def test_parse_cpu_list_rejects(text):
    with pytest.raises(WorkerSizingError, match='cpu list'):
        parse_cpu_list(text)


@pytest.mark.parametrize('text, expected', [
    case('v2-max', 'max\n', None),
    case('v2-one-gib', '1073741824\n', GIB),
    case('v1-no-limit', '9223372036854771712\n', None),
    case('v1-512-mib', '536870912', 512 * MIB),
])
def test_parse_memory_limit(text, expected):
    assert parse_memory_limit(text) == expected


def test_parse_memory_limit_rejects():
    with pytest.raises(WorkerSizingError, match='memory limit'):
        parse_memory_limit('lots')


MEMINFO = 'MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    2097152 kB\n'


@pytest.mark.parametrize('text, expected', [
    case('typical', MEMINFO, 2 * GIB),
    case('first-line', 'MemAvailable: 1024 kB', MIB),
])
def test_parse_meminfo(text, expected):
    assert parse_meminfo(text) == expected


@pytest.mark.parametrize('text, message', [
    case('missing', 'MemTotal: 1 kB\nMemFree: 1 kB\n', 'no MemAvailable.*memory_mb'),
    case('bad-unit', 'MemAvailable: 12 MB\n', 'cannot parse MemAvailable'),
])
def test_parse_meminfo_rejects(text, message):
    with pytest.raises(WorkerSizingError, match=message):
        parse_meminfo(text)


@pytest.mark.parametrize('text, expected', [
    case('v2', '0::/user.slice/user-1000.slice/session-2.scope\n',
         {'': '/user.slice/user-1000.slice/session-2.scope'}),
    case('v1-docker',
         '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:cpuset:/docker/abc\n1:name=systemd:/docker/abc\n',
         {'memory': '/docker/abc', 'cpu': '/docker/abc', 'cpuacct': '/docker/abc', 'cpuset': '/docker/abc',
          'name=systemd': '/docker/abc'}),
    case('hybrid', '4:cpu,cpuacct:/system.slice/app.service\n0::/system.slice/app.service\n',
         {'cpu': '/system.slice/app.service', 'cpuacct': '/system.slice/app.service', '': '/system.slice/app.service'}),
    case('path-with-colon', '0::/odd:name\n', {'': '/odd:name'}),
    case('junk-line-skipped', 'junk\n0::/\n', {'': '/'}),
])
def test_parse_proc_cgroup(text, expected):
    assert parse_proc_cgroup(text) == expected


# --- fake host trees ---------------------------------------------------------

def write_tree(root, files):
    for path, content in files.items():
        target = root.joinpath(*path.split('/'))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return str(root)


V2_CGROUP = '0::/system.slice/app.service\n'
V2_DIR = 'sys/fs/cgroup/system.slice/app.service'
V1_CGROUP = ('12:memory:/system.slice/app.service\n'
             '4:cpu,cpuacct:/system.slice/app.service\n'
             '3:cpuset:/\n'
             '1:name=systemd:/system.slice/app.service\n')
V1_CPU_DIR = 'sys/fs/cgroup/cpu,cpuacct/system.slice/app.service'
# Every mounted v1 hierarchy has cgroup.procs at its root; the reader checks for it.
V1_CPU_MOUNT = {'sys/fs/cgroup/cpu,cpuacct/cgroup.procs': ''}
V1_CPUSET_MOUNT = {'sys/fs/cgroup/cpuset/cgroup.procs': ''}
V1_MEMORY_DIR = 'sys/fs/cgroup/memory/system.slice/app.service'
HYBRID_CGROUP = V1_CGROUP + '0::/system.slice/app.service\n'


CPU_TREES = [
    case('no-cgroup-files', {}, 4, (4.0, 'affinity', 'affinity 4 and cgroup quota unlimited')),
    case('v2-unlimited', {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
        V2_DIR + '/cpu.max': 'max 100000\n',
    }, 2, (2.0, 'affinity', 'affinity 2 and cgroup quota unlimited')),
    case('v2-half-cpu', {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
        V2_DIR + '/cpu.max': '50000 100000\n',
    }, 8, (0.5, 'cgroup v2 cpu.max', 'affinity 8 and cgroup v2 cpu.max quota 0.5')),
    case('v2-ancestor-limit-is-tighter', {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
        'sys/fs/cgroup/system.slice/cpu.max': '150000 100000\n',
        V2_DIR + '/cpu.max': '300000 100000\n',
    }, 8, (1.5, 'cgroup v2 cpu.max', 'affinity 8 and cgroup v2 cpu.max quota 1.5')),
    case('v2-quota-above-affinity', {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
        V2_DIR + '/cpu.max': '400000 100000\n',
    }, 2, (2.0, 'affinity', 'affinity 2 and cgroup v2 cpu.max quota 4.0')),
    case('v2-cpuset-smaller-than-affinity', {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpuset cpu memory\n',
        V2_DIR + '/cpuset.cpus.effective': '0-1\n',
    }, 8, (2.0, 'cpuset', 'affinity 8, cpuset 2 and cgroup quota unlimited')),
    case('v1-unlimited', {
        'proc/self/cgroup': V1_CGROUP,
        **V1_CPU_MOUNT,
        V1_CPU_DIR + '/cpu.cfs_quota_us': '-1\n',
        V1_CPU_DIR + '/cpu.cfs_period_us': '100000\n',
    }, 4, (4.0, 'affinity', 'affinity 4 and cgroup quota unlimited')),
    case('v1-half-cpu', {
        'proc/self/cgroup': V1_CGROUP,
        **V1_CPU_MOUNT,
        V1_CPU_DIR + '/cpu.cfs_quota_us': '50000\n',
        V1_CPU_DIR + '/cpu.cfs_period_us': '100000\n',
    }, 4, (0.5, 'cgroup v1 cpu.cfs_quota_us', 'affinity 4 and cgroup v1 cpu.cfs_quota_us quota 0.5')),
    case('v1-fractional-on-plain-cpu-mount', {
        'proc/self/cgroup': V1_CGROUP,
        'sys/fs/cgroup/cpu/cgroup.procs': '',
        'sys/fs/cgroup/cpu/system.slice/app.service/cpu.cfs_quota_us': '250000\n',
        'sys/fs/cgroup/cpu/system.slice/app.service/cpu.cfs_period_us': '100000\n',
    }, 4, (2.5, 'cgroup v1 cpu.cfs_quota_us', 'affinity 4 and cgroup v1 cpu.cfs_quota_us quota 2.5')),
    case('v1-cpuset-at-root', {
        'proc/self/cgroup': V1_CGROUP,
        **V1_CPUSET_MOUNT,
        'sys/fs/cgroup/cpuset/cpuset.cpus': '0-3,5\n',
    }, 16, (5.0, 'cpuset', 'affinity 16, cpuset 5 and cgroup quota unlimited')),
    case('v1-empty-cpuset-ignored', {
        'proc/self/cgroup': V1_CGROUP,
        **V1_CPUSET_MOUNT,
        'sys/fs/cgroup/cpuset/cpuset.cpus': '\n',
    }, 3, (3.0, 'affinity', 'affinity 3 and cgroup quota unlimited')),
    # Seen on a hybrid Docker host: "cpu" and "cpuacct" are separate mounts and
    # "cpu,cpuacct" is an empty directory that must not hide the quota.
    case('v1-cpu-mount-beside-empty-cpu-cpuacct-dir', {
        'proc/self/cgroup': '1:cpu:/docker/abc\n2:cpuacct:/docker/abc\n0::/docker/abc\n',
        'sys/fs/cgroup/cpu,cpuacct/.keep': '',
        'sys/fs/cgroup/unified/cgroup.controllers': '\n',
        'sys/fs/cgroup/cpu/cgroup.procs': '',
        'sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us': '100000\n',
        'sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us': '100000\n',
    }, 2, (1.0, 'cgroup v1 cpu.cfs_quota_us', 'affinity 2 and cgroup v1 cpu.cfs_quota_us quota 1.0')),
    case('hybrid-prefers-v1-cpu', {
        'proc/self/cgroup': HYBRID_CGROUP,
        'sys/fs/cgroup/unified/cgroup.controllers': '\n',
        # Would be wrong to read: the cpu controller is bound to v1.
        'sys/fs/cgroup/unified/system.slice/app.service/cpu.max': '400000 100000\n',
        **V1_CPU_MOUNT,
        V1_CPU_DIR + '/cpu.cfs_quota_us': '100000\n',
        V1_CPU_DIR + '/cpu.cfs_period_us': '100000\n',
    }, 8, (1.0, 'cgroup v1 cpu.cfs_quota_us', 'affinity 8 and cgroup v1 cpu.cfs_quota_us quota 1.0')),
    case('hybrid-cpu-on-unified', {
        'proc/self/cgroup': '12:memory:/a\n0::/a\n',
        'sys/fs/cgroup/unified/cgroup.controllers': 'cpu\n',
        'sys/fs/cgroup/unified/a/cpu.max': '200000 100000\n',
    }, 8, (2.0, 'cgroup v2 cpu.max', 'affinity 8 and cgroup v2 cpu.max quota 2.0')),
    case('container-v2-path-missing-uses-mount-root', {
        'proc/self/cgroup': '0::/kubepods/pod1/abc\n',
        'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
        'sys/fs/cgroup/cpu.max': '150000 100000\n',
    }, 16, (1.5, 'cgroup v2 cpu.max', 'affinity 16 and cgroup v2 cpu.max quota 1.5')),
    case('container-v1-path-missing-uses-mount-root', {
        'proc/self/cgroup': '4:cpu,cpuacct:/docker/abc\n',
        **V1_CPU_MOUNT,
        'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '200000\n',
        'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    }, 16, (2.0, 'cgroup v1 cpu.cfs_quota_us', 'affinity 16 and cgroup v1 cpu.cfs_quota_us quota 2.0')),
    case('container-namespace-path-outside', {
        'proc/self/cgroup': '0::/../../host.slice\n',
        'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
        'sys/fs/cgroup/cpu.max': '100000 100000\n',
    }, 4, (1.0, 'cgroup v2 cpu.max', 'affinity 4 and cgroup v2 cpu.max quota 1.0')),
]


@pytest.mark.parametrize('files, affinity, expected', CPU_TREES)
def test_read_cpus(tmp_path, files, affinity, expected):
    assert tuple(read_cpus(write_tree(tmp_path, files), affinity=affinity)) == expected


def test_read_cpus_defaults_to_process_affinity(tmp_path):
    reading = read_cpus(write_tree(tmp_path, {}))
    assert reading.cpus >= 1 and reading.source == 'affinity'


def test_read_cpus_names_the_bad_file(tmp_path):
    root = write_tree(tmp_path, {
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'cpu\n',
        V2_DIR + '/cpu.max': 'lots\n',
    })
    with pytest.raises(WorkerSizingError, match='app.service/cpu.max'):
        read_cpus(root, affinity=2)


MEMORY_TREES = [
    case('meminfo-only', {'proc/meminfo': MEMINFO},
         (2048, 'MemAvailable', 'MemAvailable 2048 MB and cgroup limit unlimited')),
    case('v2-unlimited', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'memory\n',
        V2_DIR + '/memory.max': 'max\n',
        V2_DIR + '/memory.current': '104857600\n',
    }, (2048, 'MemAvailable', 'MemAvailable 2048 MB and cgroup limit unlimited')),
    # The app's own workers use part of the limit when the module runs again:
    # usage must not lower the result, or every converge would change the count.
    case('v2-limit-ignores-usage', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'memory\n',
        V2_DIR + '/memory.max': '%d\n' % GIB,
        V2_DIR + '/memory.current': '%d\n' % (900 * MIB),
    }, (1024, 'cgroup v2 memory.max', 'MemAvailable 2048 MB and cgroup v2 memory.max 1024 MB')),
    case('v2-limit-above-meminfo', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'memory\n',
        V2_DIR + '/memory.max': '%d\n' % (8 * GIB),
    }, (2048, 'MemAvailable', 'MemAvailable 2048 MB and cgroup v2 memory.max 8192 MB')),
    case('v2-tightest-ancestor-wins', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V2_CGROUP,
        'sys/fs/cgroup/cgroup.controllers': 'memory\n',
        'sys/fs/cgroup/system.slice/memory.max': '%d\n' % (768 * MIB),
        V2_DIR + '/memory.max': '%d\n' % GIB,
    }, (768, 'cgroup v2 memory.max', 'MemAvailable 2048 MB and cgroup v2 memory.max 768 MB')),
    case('v1-no-limit', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V1_CGROUP,
        'sys/fs/cgroup/memory/cgroup.procs': '',
        V1_MEMORY_DIR + '/memory.limit_in_bytes': '9223372036854771712\n',
    }, (2048, 'MemAvailable', 'MemAvailable 2048 MB and cgroup limit unlimited')),
    case('v1-limit-ignores-usage', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V1_CGROUP,
        'sys/fs/cgroup/memory/cgroup.procs': '',
        V1_MEMORY_DIR + '/memory.limit_in_bytes': '%d\n' % (512 * MIB),
        V1_MEMORY_DIR + '/memory.usage_in_bytes': '%d\n' % (600 * MIB),
    }, (512, 'cgroup v1 memory.limit_in_bytes', 'MemAvailable 2048 MB and cgroup v1 memory.limit_in_bytes 512 MB')),
    case('v1-not-mounted-reads-meminfo-only', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': V1_CGROUP,
        # A bare directory without cgroup.procs is not a mounted hierarchy.
        V1_MEMORY_DIR + '/memory.limit_in_bytes': '%d\n' % (512 * MIB),
    }, (2048, 'MemAvailable', 'MemAvailable 2048 MB and cgroup limit unlimited')),
    case('hybrid-prefers-v1-memory', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': HYBRID_CGROUP,
        'sys/fs/cgroup/unified/cgroup.controllers': '\n',
        'sys/fs/cgroup/unified/system.slice/app.service/memory.max': '%d\n' % MIB,
        'sys/fs/cgroup/memory/cgroup.procs': '',
        V1_MEMORY_DIR + '/memory.limit_in_bytes': '%d\n' % GIB,
    }, (1024, 'cgroup v1 memory.limit_in_bytes',
        'MemAvailable 2048 MB and cgroup v1 memory.limit_in_bytes 1024 MB')),
    case('container-v1-path-missing-uses-mount-root', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': '12:memory:/docker/abc\n',
        'sys/fs/cgroup/memory/cgroup.procs': '',
        'sys/fs/cgroup/memory/memory.limit_in_bytes': '%d\n' % (768 * MIB),
    }, (768, 'cgroup v1 memory.limit_in_bytes',
        'MemAvailable 2048 MB and cgroup v1 memory.limit_in_bytes 768 MB')),
    case('container-v2-path-missing-uses-mount-root', {
        'proc/meminfo': MEMINFO,
        'proc/self/cgroup': '0::/kubepods/pod1/abc\n',
        'sys/fs/cgroup/cgroup.controllers': 'memory\n',
        'sys/fs/cgroup/memory.max': '%d\n' % GIB,
    }, (1024, 'cgroup v2 memory.max', 'MemAvailable 2048 MB and cgroup v2 memory.max 1024 MB')),
]


@pytest.mark.parametrize('files, expected', MEMORY_TREES)
def test_read_memory(tmp_path, files, expected):
    assert tuple(read_memory(write_tree(tmp_path, files))) == expected


def test_read_memory_without_meminfo_asks_for_memory_mb(tmp_path):
    with pytest.raises(WorkerSizingError, match='proc/meminfo; give memory_mb'):
        read_memory(write_tree(tmp_path, {}))


# --- sizing ------------------------------------------------------------------

BASE = dict(worker_class='uvicorn_worker.UvicornWorker', cpus=2.0, memory_mb=4096, worker_memory_mb=64,
            reserved_memory_mb=256, apps=1, min_workers=1, max_workers=None)


def sized(**changes):
    args = dict(BASE, **changes)
    return size_workers(**args)


@pytest.mark.parametrize('changes, workers, bound, cpus, memory_mb', [
    case('async-two-per-cpu', {}, 4, 'cpu', 2.0, 3840),
    case('async-alias-uvicorn-workers', {'worker_class': 'uvicorn.workers.UvicornWorker'}, 4, 'cpu', 2.0, 3840),
    case('async-asgi', {'worker_class': 'asgi'}, 4, 'cpu', 2.0, 3840),
    case('async-fraction-rounds-up', {'cpus': 1.5}, 4, 'cpu', 1.5, 3840),
    case('async-half-cpu-counts-as-one', {'cpus': 0.5}, 2, 'cpu', 0.5, 3840),
    case('async-float-noise-no-extra-worker', {'cpus': 0.1 * 3, 'apps': 3, 'memory_mb': 1000}, 2, 'cpu', 0.1, 248),
    case('sync-2n-plus-1', {'worker_class': 'sync'}, 5, 'cpu', 2.0, 3840),
    case('gthread-2n-plus-1', {'worker_class': 'gthread', 'cpus': 4}, 9, 'cpu', 4.0, 3840),
    case('sync-fraction-uses-ceil', {'worker_class': 'sync', 'cpus': 0.5}, 3, 'cpu', 0.5, 3840),
    case('memory-bound', {'cpus': 8, 'memory_mb': 512}, 4, 'memory', 8.0, 256),
    case('memory-bound-floor', {'cpus': 8, 'memory_mb': 500}, 3, 'memory', 8.0, 244),
    case('tie-goes-to-cpu', {'cpus': 2, 'memory_mb': 512}, 4, 'cpu', 2.0, 256),
    case('sync-memory-bound', {'worker_class': 'sync', 'cpus': 4, 'memory_mb': 768}, 8, 'memory', 4.0, 512),
    case('two-apps-share-cpu', {'cpus': 4, 'apps': 2}, 4, 'cpu', 2.0, 1920),
    case('three-apps-share-fractional-cpu', {'cpus': 4, 'apps': 3}, 4, 'cpu', 1.33, 1280),
    case('apps-share-memory', {'cpus': 16, 'memory_mb': 1024, 'apps': 4}, 3, 'memory', 4.0, 192),
    case('max-clamps', {'cpus': 16, 'max_workers': 4}, 4, 'max', 16.0, 3840),
    case('max-above-count-no-effect', {'max_workers': 10}, 4, 'cpu', 2.0, 3840),
    case('min-raises', {'cpus': 1, 'min_workers': 3}, 3, 'min', 1.0, 3840),
    case('min-equal-max', {'cpus': 1, 'min_workers': 3, 'max_workers': 3}, 3, 'min', 1.0, 3840),
    case('zero-reserve', {'cpus': 8, 'memory_mb': 256, 'reserved_memory_mb': 0}, 4, 'memory', 8.0, 256),
    # gthread: still 2n+1 processes by CPU; each thread beyond the first costs memory.
    case('gthread-threads-keep-2n-plus-1', {'worker_class': 'gthread', 'threads': 4}, 5, 'cpu', 2.0, 3840),
    case('gthread-threads-cost-memory', {'worker_class': 'gthread', 'cpus': 4, 'memory_mb': 1024, 'threads': 5,
                                         'thread_memory_mb': 16}, 6, 'memory', 4.0, 768),
    case('gthread-threads-free-memory', {'worker_class': 'gthread', 'cpus': 4, 'memory_mb': 1024, 'threads': 5,
                                         'thread_memory_mb': 0}, 9, 'cpu', 4.0, 768),
    case('gthread-one-thread-is-sync', {'worker_class': 'gthread', 'cpus': 4, 'memory_mb': 768, 'threads': 1},
         8, 'memory', 4.0, 512),
    case('sync-two-apps-memory', {'worker_class': 'sync', 'cpus': 2, 'memory_mb': 1280, 'apps': 2,
                                  'worker_memory_mb': 128}, 3, 'cpu', 1.0, 512),
    case('sync-two-apps-memory-bound', {'worker_class': 'sync', 'cpus': 2, 'memory_mb': 1280, 'apps': 2,
                                        'worker_memory_mb': 256}, 2, 'memory', 1.0, 512),
])
def test_size_workers(changes, workers, bound, cpus, memory_mb):
    result = sized(**changes)
    assert (result['workers'], result['bound'], result['cpus'], result['memory_mb']) == (workers, bound, cpus, memory_mb)


@pytest.mark.parametrize('changes, reason', [
    case('cpu-given', {}, '4 workers: 2 per usable CPU (2.0 CPUs given, shared by 1 app)'),
    case('cpu-read', {'cpus_origin': 'from affinity 2 and cgroup quota unlimited'},
         '4 workers: 2 per usable CPU (2.0 CPUs from affinity 2 and cgroup quota unlimited, shared by 1 app)'),
    case('cpu-sync-apps', {'worker_class': 'sync', 'cpus': 4, 'apps': 2},
         '5 workers: 2 per usable CPU plus 1 (4.0 CPUs given, shared by 2 apps)'),
    case('one-cpu', {'cpus': 1}, '2 workers: 2 per usable CPU (1.0 CPUs given, shared by 1 app)'),
    case('single-worker', {'cpus': 1, 'max_workers': 1}, '1 worker: capped by max_workers (CPU allows 2, memory allows 60)'),
    case('memory', {'cpus': 8, 'memory_mb': 512, 'memory_origin': 'from MemAvailable 512 MB'},
         '4 workers: 256 MB of memory at 64 MB each (512 MB from MemAvailable 512 MB, minus 256 MB reserved, '
         'shared by 1 app)'),
    case('max', {'cpus': 16, 'max_workers': 4}, '4 workers: capped by max_workers (CPU allows 32, memory allows 60)'),
    case('min', {'cpus': 1, 'min_workers': 3}, '3 workers: raised to min_workers (CPU allows 2, memory allows 60)'),
    case('gthread-memory', {'worker_class': 'gthread', 'cpus': 4, 'memory_mb': 1024, 'threads': 5,
                            'thread_memory_mb': 16},
         '6 workers: 768 MB of memory at 128 MB each (64 MB and 4 more threads at 16 MB) (1024 MB given, '
         'minus 256 MB reserved, shared by 1 app)'),
])
def test_size_workers_reason(changes, reason):
    assert sized(**changes)['reason'] == reason


@pytest.mark.parametrize('changes, message', [
    case('spec-example', {'memory_mb': 436, 'min_workers': 4},
         'memory for 1 app is 180 MB of 436 MB after reserving 256 MB, but min_workers=4 needs 256 MB '
         'at 64 MB each: 76 MB missing'),
    case('below-reserve', {'memory_mb': 200},
         'memory for 1 app is 0 MB of 200 MB after reserving 256 MB, but min_workers=1 needs 64 MB '
         'at 64 MB each: 120 MB missing'),
    case('one-mb-short', {'memory_mb': 319},
         'memory for 1 app is 63 MB of 319 MB after reserving 256 MB, but min_workers=1 needs 64 MB '
         'at 64 MB each: 1 MB missing'),
    case('apps-share', {'memory_mb': 436, 'apps': 2, 'min_workers': 2},
         'memory for each of 2 apps is 90 MB of 436 MB after reserving 256 MB, but min_workers=2 needs 128 MB '
         'at 64 MB each: 76 MB missing'),
    case('threads-cost', {'worker_class': 'gthread', 'memory_mb': 436, 'threads': 3, 'thread_memory_mb': 32,
                          'min_workers': 2},
         'memory for 1 app is 180 MB of 436 MB after reserving 256 MB, but min_workers=2 needs 256 MB '
         'at 128 MB each (64 MB and 2 more threads at 32 MB): 76 MB missing'),
])
def test_size_workers_memory_missing(changes, message):
    with pytest.raises(WorkerSizingError) as caught:
        sized(**changes)
    assert str(caught.value) == message


@pytest.mark.parametrize('changes, field', [
    case('cpus-zero', {'cpus': 0}, 'cpus'),
    case('cpus-negative', {'cpus': -1.5}, 'cpus'),
    case('cpus-text', {'cpus': 'two'}, 'cpus'),
    case('cpus-bool', {'cpus': True}, 'cpus'),
    case('cpus-nan', {'cpus': float('nan')}, 'cpus'),
    case('memory-zero', {'memory_mb': 0}, 'memory_mb'),
    case('memory-negative', {'memory_mb': -1}, 'memory_mb'),
    case('memory-text', {'memory_mb': '4G'}, 'memory_mb'),
    case('memory-float', {'memory_mb': 4096.5}, 'memory_mb'),
    case('worker-memory-zero', {'worker_memory_mb': 0}, 'worker_memory_mb'),
    case('worker-memory-negative', {'worker_memory_mb': -64}, 'worker_memory_mb'),
    case('worker-memory-text', {'worker_memory_mb': 'lots'}, 'worker_memory_mb'),
    case('reserved-negative', {'reserved_memory_mb': -1}, 'reserved_memory_mb'),
    case('reserved-text', {'reserved_memory_mb': None}, 'reserved_memory_mb'),
    case('apps-zero', {'apps': 0}, 'apps'),
    case('apps-text', {'apps': '2'}, 'apps'),
    case('min-zero', {'min_workers': 0}, 'min_workers'),
    case('min-text', {'min_workers': 'one'}, 'min_workers'),
    case('max-zero', {'max_workers': 0}, 'max_workers'),
    case('max-negative', {'max_workers': -3}, 'max_workers'),
    case('max-text', {'max_workers': 'ten'}, 'max_workers'),
    case('min-above-max', {'min_workers': 4, 'max_workers': 2}, 'min_workers \\(4\\) is above max_workers \\(2\\)'),
    case('unknown-class', {'worker_class': 'eventlet'}, "worker_class must be one of .*, got 'eventlet'"),
    case('threads-zero', {'worker_class': 'gthread', 'threads': 0}, 'threads must be at least 1'),
    case('threads-text', {'worker_class': 'gthread', 'threads': 'four'}, 'threads must be an integer'),
    case('threads-with-sync', {'worker_class': 'sync', 'threads': 4}, "threads \\(4\\) needs worker_class gthread"),
    case('threads-with-async', {'threads': 2}, "threads \\(2\\) needs worker_class gthread"),
    case('thread-memory-negative', {'worker_class': 'gthread', 'thread_memory_mb': -1}, 'thread_memory_mb'),
])
def test_size_workers_rejects(changes, field):
    with pytest.raises(WorkerSizingError, match='^' + field):
        sized(**changes)


def test_error_is_a_value_error():
    assert issubclass(WorkerSizingError, ValueError)


def _record(name, interface="asgi", worker_class=None, threads=None, workers=None):
    return {"name": name, "interface": interface, "worker_class": worker_class, "threads": threads, "workers": workers}


UVICORN = {"worker_class": "uvicorn_worker.UvicornWorker", "threads": 1}


@pytest.mark.parametrize("app, expected", [
    (_record("api"), UVICORN),
    (_record("api", worker_class="uvicorn.workers.UvicornWorker"), {"worker_class": "uvicorn.workers.UvicornWorker", "threads": 1}),
    (_record("site", "wsgi"), {"worker_class": "gthread", "threads": 4}),
    (_record("site", "wsgi", threads=8), {"worker_class": "gthread", "threads": 8}),
    # Threads are gthread's alone.
    (_record("site", "wsgi", worker_class="sync"), {"worker_class": "sync", "threads": 1}),
])
def test_each_app_runs_its_own_class_else_the_roles_for_its_interface(app, expected):
    servers = ServersFilter().filters()["gunicorn_servers"]
    assert servers([app], "uvicorn_worker.UvicornWorker", "gthread", 4) == {app["name"]: expected}


def test_apps_that_run_the_same_are_sized_once():
    apps = [_record("api"), _record("site", "wsgi"), _record("admin"), _record("fixed", workers=3),
            _record("cron", "wsgi", worker_class="gthread", threads=4), _record("batch", "wsgi", threads=2),
            _record("fixed-site", "wsgi", worker_class="sync", workers=2)]
    servers = app_servers(apps, "uvicorn_worker.UvicornWorker", "gthread", 4)
    assert SizingsFilter().filters()["gunicorn_sizings"](apps, servers) == [
        UVICORN, {"worker_class": "gthread", "threads": 4}, {"worker_class": "gthread", "threads": 2}]
    assert sizings([_record("fixed", workers=3)], servers) == []
