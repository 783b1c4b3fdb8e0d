# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Gunicorn worker sizing: host readings (CPU, memory, cgroups) and the arithmetic.

Pure logic with no Ansible imports, so it can be unit tested on its own.
Every reader takes a ``root`` directory so tests can point it at a fake
``/proc`` and ``/sys`` tree.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import math
import numbers
import os
from collections import namedtuple


ASYNC_WORKER_CLASSES = ('uvicorn_worker.UvicornWorker', 'uvicorn.workers.UvicornWorker', 'asgi')
SYNC_WORKER_CLASSES = ('sync', 'gthread')
WORKER_CLASSES = ASYNC_WORKER_CLASSES + SYNC_WORKER_CLASSES
DEFAULT_WORKER_CLASS = 'uvicorn_worker.UvicornWorker'

MIB = 1024 * 1024

# cgroup v1 reports "no memory limit" as LONG_MAX rounded down to a page
# (9223372036854771712); anything from 1 EiB up is treated as unlimited.
UNLIMITED_MEMORY_BYTES = 1 << 60

# Default CFS period (us) when cpu.max gives only the quota.
DEFAULT_CFS_PERIOD = 100000

CGROUP_MOUNT = 'sys/fs/cgroup'
# Directory names a cgroup v1 cpu controller is commonly mounted under.
V1_CPU_MOUNTS = ('cpu,cpuacct', 'cpu', 'cpuacct,cpu')
# The hierarchy at /sys/fs/cgroup/unified on hybrid hosts.
V2_MOUNTS = ('', 'unified')

CpuReading = namedtuple('CpuReading', ['cpus', 'source', 'detail'])
CpuReading.__doc__ = """Usable CPUs, the name of the tightest bound, and a readable account of all bounds."""

MemoryReading = namedtuple('MemoryReading', ['memory_mb', 'source', 'detail'])
MemoryReading.__doc__ = """Usable memory in MiB, the name of the tightest bound, and a readable account of all bounds."""


class WorkerSizingError(ValueError):
    """Bad input, unreadable host data, or a host too small for the request."""


# ---------------------------------------------------------------------------
# Parsers: text of one file in, number out. They raise WorkerSizingError on
# content they cannot understand.
# ---------------------------------------------------------------------------

def _int(text, what):
    try:
        return int(text)
    except ValueError:
        raise WorkerSizingError('cannot parse %s: %r is not an integer' % (what, text))


def parse_cpu_max(text):
    """CPUs allowed by a cgroup v2 ``cpu.max`` ("QUOTA PERIOD"), or None when the quota is "max"."""
    fields = text.split()
    if not fields or len(fields) > 2:
        raise WorkerSizingError('cannot parse cpu.max: %r' % text)
    if fields[0] == 'max':
        return None
    quota = _int(fields[0], 'cpu.max quota')
    period = _int(fields[1], 'cpu.max period') if len(fields) == 2 else DEFAULT_CFS_PERIOD
    if quota <= 0 or period <= 0:
        raise WorkerSizingError('cannot parse cpu.max: %r' % text)
    return quota / period


def parse_cfs(quota_text, period_text):
    """CPUs allowed by cgroup v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``, or None for quota -1."""
    quota = _int(quota_text.strip(), 'cpu.cfs_quota_us')
    if quota < 0:
        return None
    period = _int(period_text.strip(), 'cpu.cfs_period_us')
    if quota == 0 or period <= 0:
        raise WorkerSizingError('cannot parse cpu.cfs_quota_us/cpu.cfs_period_us: %r/%r' % (quota_text, period_text))
    return quota / period


def parse_cpu_list(text):
    """Number of CPUs in a cpuset list such as ``0-3,5``; 0 for an empty list."""
    count = 0
    for item in text.strip().split(','):
        if not item:
            continue
        first, sep, last = item.partition('-')
        if sep:
            low, high = _int(first, 'cpu list'), _int(last, 'cpu list')
            if high < low:
                raise WorkerSizingError('cannot parse cpu list: range %r goes backwards' % item)
            count += high - low + 1
        else:
            _int(first, 'cpu list')
            count += 1
    return count


def parse_memory_limit(text):
    """Bytes allowed by ``memory.max`` / ``memory.limit_in_bytes``, or None when unlimited."""
    text = text.strip()
    if text == 'max':
        return None
    limit = _int(text, 'memory limit')
    return None if limit >= UNLIMITED_MEMORY_BYTES else limit


def parse_meminfo(text):
    """``MemAvailable`` from /proc/meminfo, in bytes."""
    for line in text.splitlines():
        name, sep, value = line.partition(':')
        if sep and name == 'MemAvailable':
            fields = value.split()
            if len(fields) == 2 and fields[1] == 'kB':
                return _int(fields[0], 'MemAvailable') * 1024
            raise WorkerSizingError('cannot parse MemAvailable: %r' % line)
    raise WorkerSizingError('/proc/meminfo has no MemAvailable line (kernel older than 3.14?); give memory_mb')


def parse_proc_cgroup(text):
    """Map each controller in /proc/self/cgroup to its cgroup path.

    cgroup v1 lines ("4:cpu,cpuacct:/docker/abc") give one entry per
    controller; the cgroup v2 line ("0::/user.slice") is stored under ''.
    """
    paths = {}
    for line in text.splitlines():
        fields = line.split(':', 2)
        if len(fields) != 3:
            continue
        hierarchy_id, controllers, path = fields
        if hierarchy_id == '0' and not controllers:
            paths[''] = path
        else:
            for controller in controllers.split(','):
                paths[controller] = path
    return paths


# ---------------------------------------------------------------------------
# Host readers.
# ---------------------------------------------------------------------------

def _read(path):
    """File content, or None when it is missing or unreadable (not every kernel has every file)."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def _hierarchy_dirs(mount, cgroup_path):
    """The process's cgroup directory under ``mount`` and its ancestors, deepest first.

    A limit on any ancestor applies too. Inside a container the path from
    /proc/self/cgroup may not exist under the mount (the container sees its
    own cgroup as the mount root); walking up still reaches the mount root.
    """
    parts = [part for part in cgroup_path.split('/') if part]
    if '..' in parts or '.' in parts:
        # A path from outside our cgroup namespace: only the mount root is ours.
        parts = []
    return [os.path.join(mount, *parts[:depth]) for depth in range(len(parts), -1, -1)]


def _v1_mount(root, names):
    for name in names:
        mount = os.path.join(root, CGROUP_MOUNT, name)
        # Only a mounted hierarchy has cgroup.procs: some hosts leave an empty
        # "cpu,cpuacct" directory beside separate "cpu" and "cpuacct" mounts.
        if os.path.isfile(os.path.join(mount, 'cgroup.procs')):
            return mount
    return None


def _v2_mount(root):
    for name in V2_MOUNTS:
        mount = os.path.join(root, CGROUP_MOUNT, name)
        if os.path.isfile(os.path.join(mount, 'cgroup.controllers')):
            return mount
    return None


def _controller_dirs(root, cgroups, controller, v1_mounts):
    """(version label, hierarchy dirs) for a controller, or (None, []).

    On hybrid hosts a controller bound to v1 lives there, so v1 wins when
    /proc/self/cgroup lists the controller.
    """
    if controller in cgroups:
        mount = _v1_mount(root, v1_mounts)
        if mount:
            return 'cgroup v1', _hierarchy_dirs(mount, cgroups[controller])
    if '' in cgroups:
        mount = _v2_mount(root)
        if mount:
            return 'cgroup v2', _hierarchy_dirs(mount, cgroups[''])
    return None, []


def _parse_file(path, parser, *more_paths):
    """Parse a file (and companions) found on the host; None when any is missing."""
    texts = [_read(one) for one in (path,) + more_paths]
    if any(text is None for text in texts):
        return None
    try:
        return parser(*texts)
    except WorkerSizingError as exc:
        raise WorkerSizingError('%s: %s' % (path, exc))


def _smallest(values):
    values = [value for value in values if value is not None]
    return min(values) if values else None


def _format_number(value):
    return str(round(float(value), 2))


def _affinity_count():
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def read_cpus(root='/', affinity=None):
    """Usable CPUs: the smallest of CPU affinity, cgroup cpuset and cgroup CPU quota.

    ``affinity`` overrides the CPU count read from the running process
    (os.sched_getaffinity, else os.cpu_count), which tests need because it
    does not come from files below ``root``.
    """
    if affinity is None:
        affinity = _affinity_count()
    cgroups = _parse_file(os.path.join(root, 'proc/self/cgroup'), parse_proc_cgroup) or {}

    version, dirs = _controller_dirs(root, cgroups, 'cpu', V1_CPU_MOUNTS)
    if version == 'cgroup v1':
        quota_source = 'cgroup v1 cpu.cfs_quota_us'
        quota = _smallest(_parse_file(os.path.join(path, 'cpu.cfs_quota_us'), parse_cfs,
                                      os.path.join(path, 'cpu.cfs_period_us')) for path in dirs)
    else:
        quota_source = 'cgroup v2 cpu.max'
        quota = _smallest(_parse_file(os.path.join(path, 'cpu.max'), parse_cpu_max) for path in dirs)

    cpuset_version, cpuset_dirs = _controller_dirs(root, cgroups, 'cpuset', ('cpuset',))
    cpuset_file = 'cpuset.cpus' if cpuset_version == 'cgroup v1' else 'cpuset.cpus.effective'
    # An empty list (a v1 cgroup not yet given CPUs) says nothing: skip it.
    cpuset = _smallest(_parse_file(os.path.join(path, cpuset_file), parse_cpu_list) or None for path in cpuset_dirs)

    cpus, source = affinity, 'affinity'
    for bound, name in ((cpuset, 'cpuset'), (quota, quota_source)):
        if bound is not None and bound < cpus:
            cpus, source = bound, name

    detail = ['affinity %d' % affinity]
    # The cpuset normally equals the affinity; mention it only when it tells more.
    if cpuset is not None and cpuset != affinity:
        detail.append('cpuset %d' % cpuset)
    if quota is None:
        detail.append('cgroup quota unlimited')
    else:
        detail.append('%s quota %s' % (quota_source, _format_number(quota)))
    return CpuReading(float(cpus), source, ', '.join(detail[:-1]) + ' and ' + detail[-1])


def read_memory(root='/'):
    """Usable memory in MiB: the smaller of MemAvailable and the cgroup memory limit.

    The limit itself counts (v2 memory.max, v1 memory.limit_in_bytes), not the
    limit minus current usage: the module runs again on every converge, when the
    app's own workers already use part of that cgroup. Subtracting their usage
    would lower the count on each re-run, rewrite gunicorn.conf.py and restart
    the app, which flaps instead of converging. Every ancestor's limit applies,
    so the tightest level wins.
    """
    meminfo = os.path.join(root, 'proc/meminfo')
    available = _parse_file(meminfo, parse_meminfo)
    if available is None:
        raise WorkerSizingError('cannot read %s; give memory_mb' % meminfo)

    cgroups = _parse_file(os.path.join(root, 'proc/self/cgroup'), parse_proc_cgroup) or {}
    version, dirs = _controller_dirs(root, cgroups, 'memory', ('memory',))
    limit_file = 'memory.limit_in_bytes' if version == 'cgroup v1' else 'memory.max'
    limit = _smallest(_parse_file(os.path.join(path, limit_file), parse_memory_limit) for path in dirs)

    detail = 'MemAvailable %d MB' % (available // MIB)
    if limit is None:
        return MemoryReading(available // MIB, 'MemAvailable', detail + ' and cgroup limit unlimited')

    limit_source = '%s %s' % (version, limit_file)
    detail += ' and %s %d MB' % (limit_source, limit // MIB)
    if limit < available:
        return MemoryReading(limit // MIB, limit_source, detail)
    return MemoryReading(available // MIB, 'MemAvailable', detail)


# ---------------------------------------------------------------------------
# Sizing.
# ---------------------------------------------------------------------------

def _check_integer(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise WorkerSizingError('%s must be an integer, got %r' % (name, value))
    if value < minimum:
        raise WorkerSizingError('%s must be at least %d, got %d' % (name, minimum, value))


def _validate(worker_class, cpus, memory_mb, worker_memory_mb, reserved_memory_mb, apps, min_workers, max_workers,
              threads, thread_memory_mb):
    if worker_class not in WORKER_CLASSES:
        raise WorkerSizingError('worker_class must be one of %s, got %r' % (', '.join(WORKER_CLASSES), worker_class))
    _check_integer('threads', threads, 1)
    _check_integer('thread_memory_mb', thread_memory_mb, 0)
    if threads > 1 and worker_class != 'gthread':
        raise WorkerSizingError('threads (%d) needs worker_class gthread, got %r' % (threads, worker_class))
    if isinstance(cpus, bool) or not isinstance(cpus, numbers.Real) or not math.isfinite(cpus):
        raise WorkerSizingError('cpus must be a number, got %r' % (cpus,))
    if cpus <= 0:
        raise WorkerSizingError('cpus must be above 0, got %s' % cpus)
    _check_integer('memory_mb', memory_mb, 1)
    _check_integer('worker_memory_mb', worker_memory_mb, 1)
    _check_integer('reserved_memory_mb', reserved_memory_mb, 0)
    _check_integer('apps', apps, 1)
    _check_integer('min_workers', min_workers, 1)
    if max_workers is not None:
        _check_integer('max_workers', max_workers, 1)
        if min_workers > max_workers:
            raise WorkerSizingError('min_workers (%d) is above max_workers (%d)' % (min_workers, max_workers))


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


def size_workers(worker_class, cpus, memory_mb, worker_memory_mb=64, reserved_memory_mb=256, apps=1,
                 min_workers=1, max_workers=None, cpus_origin='given', memory_origin='given',
                 threads=1, thread_memory_mb=8):
    """Worker count for one gunicorn app.

    ``cpus`` and ``memory_mb`` are what the whole host offers; each of
    ``apps`` apps gets an equal share of the CPUs and of the memory left after
    ``reserved_memory_mb``. ``cpus_origin``/``memory_origin`` only feed the
    ``reason`` text ("given", or "from affinity 2 and ..." from a reader).

    ``threads`` (gthread only) are the threads of each worker: threads add concurrency
    for requests that wait (on a database, an API), not CPU, so the CPU count stays
    2n+1 processes; each thread beyond the first costs ``thread_memory_mb`` more per
    worker, which the memory bound counts.

    Returns a dict with workers, cpus (this app's share, 2 decimals),
    memory_mb (this app's share), bound (cpu, memory, max or min) and reason.
    Raises WorkerSizingError on bad input or when the memory cannot hold
    ``min_workers``.
    """
    _validate(worker_class, cpus, memory_mb, worker_memory_mb, reserved_memory_mb, apps, min_workers, max_workers,
              threads, thread_memory_mb)

    app_cpus = cpus / apps
    # Round first so float noise (e.g. 2.0000000001) does not add a worker.
    whole_cpus = max(1, math.ceil(round(app_cpus, 6)))
    if worker_class in ASYNC_WORKER_CLASSES:
        # nginx runs on the same CPUs: while one event loop waits on its socket, a second
        # worker per CPU keeps the CPU busy (bench/serve: the best count on 2 CPUs and under a
        # 1-CPU quota, docs/tuning-workers.md).
        cpu_workers, cpu_rule = 2 * whole_cpus, '2 per usable CPU'
    else:
        cpu_workers, cpu_rule = 2 * whole_cpus + 1, '2 per usable CPU plus 1'

    app_memory = max(0, memory_mb - reserved_memory_mb) // apps
    per_worker = worker_memory_mb + (threads - 1) * thread_memory_mb
    each = '%d MB each' % per_worker
    if threads > 1:
        each = '%d MB each (%d MB and %d more threads at %d MB)' % (
            per_worker, worker_memory_mb, threads - 1, thread_memory_mb)
    memory_workers = app_memory // per_worker

    if memory_workers < min_workers:
        needed = min_workers * per_worker
        missing = apps * needed + reserved_memory_mb - memory_mb
        who = '1 app' if apps == 1 else 'each of %d apps' % apps
        raise WorkerSizingError(
            'memory for %s is %d MB of %d MB after reserving %d MB, but min_workers=%d needs %d MB at %s: '
            '%d MB missing' % (who, app_memory, memory_mb, reserved_memory_mb, min_workers, needed,
                               each, missing))

    shared = 'shared by %s' % _plural(apps, 'app')
    if cpu_workers <= memory_workers:
        workers, bound = cpu_workers, 'cpu'
        why = '%s (%s CPUs %s, %s)' % (cpu_rule, _format_number(cpus), cpus_origin, shared)
    else:
        workers, bound = memory_workers, 'memory'
        why = '%d MB of memory at %s (%d MB %s, minus %d MB reserved, %s)' % (
            app_memory, each, memory_mb, memory_origin, reserved_memory_mb, shared)

    allows = '(CPU allows %d, memory allows %d)' % (cpu_workers, memory_workers)
    if max_workers is not None and workers > max_workers:
        workers, bound, why = max_workers, 'max', 'capped by max_workers %s' % allows
    elif workers < min_workers:
        workers, bound, why = min_workers, 'min', 'raised to min_workers %s' % allows

    return {
        'workers': workers,
        'cpus': round(app_cpus, 2),
        'memory_mb': app_memory,
        'bound': bound,
        'reason': '%s: %s' % (_plural(workers, 'worker'), why),
    }


def app_servers(apps, worker_class, wsgi_worker_class, threads):
    """{app name: {"worker_class", "threads"}}: the gunicorn worker class and threads each app
    runs, its own else the gunicorn role's for its interface (worker_class for ASGI apps,
    wsgi_worker_class for WSGI ones), threads 1 unless the class is gthread. apps: the app
    records (name, interface, worker_class, threads)."""
    servers = {}
    for app in apps:
        app_class = app.get("worker_class") or (wsgi_worker_class if app.get("interface") == "wsgi" else worker_class)
        servers[app["name"]] = {"worker_class": app_class,
                                "threads": (app.get("threads") or threads) if app_class == "gthread" else 1}
    return servers


def sizings(apps, servers):
    """The distinct {"worker_class", "threads"} of the apps whose worker count is not given,
    in the apps' order: one sizing each, shared by every app that runs the same."""
    distinct = []
    for app in apps:
        if app.get("workers") is None and servers[app["name"]] not in distinct:
            distinct.append(servers[app["name"]])
    return distinct
