#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: gunicorn_workers
short_description: Compute the gunicorn worker count for one app from the host's CPUs and memory
version_added: 0.1.0
description:
  - Reads the CPUs and memory the target may use, including cgroup limits inside containers,
    and computes how many gunicorn workers one app should run.
  - Never changes anything on the target.
  - Every host reading can be given as an option, so the arithmetic can be checked anywhere;
    what is not given is read on the target.
  - The CPU count is two workers per usable CPU (rounded up) for async (ASGI) worker classes, and twice
    the usable CPUs rounded up, plus one, for V(sync) and V(gthread). The memory count is the app's memory divided by
    what one worker costs, O(worker_memory_mb) plus O(thread_memory_mb) for each of its O(threads) beyond
    the first. The smaller wins (CPU on a tie), then O(max_workers) and O(min_workers) clamp it.
  - Fails, rather than overcommit, when the app's memory cannot hold O(min_workers) workers; the
    message says how many MB are missing.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  worker_class:
    description:
      - The gunicorn worker class the app runs with.
      - V(uvicorn_worker.UvicornWorker), V(uvicorn.workers.UvicornWorker) and V(asgi) are async and get two
        workers per usable CPU, rounded up (2 * ceil(cpus)). nginx shares the CPUs, and while one event
        loop waits on its socket the other keeps the CPU busy.
      - V(sync) and V(gthread) get twice the usable CPUs rounded up, plus one (2 * ceil(cpus) + 1).
    type: str
    default: uvicorn_worker.UvicornWorker
    choices:
      - uvicorn_worker.UvicornWorker
      - uvicorn.workers.UvicornWorker
      - asgi
      - sync
      - gthread
  cpus:
    description:
      - CPUs usable on the host, may be fractional.
      - When not given, the smallest of the CPU affinity of the module process (C(os.sched_getaffinity),
        else C(os.cpu_count)), the cgroup cpuset, and the cgroup CPU quota (v2 C(cpu.max),
        v1 C(cpu.cfs_quota_us) / C(cpu.cfs_period_us)) of the process's cgroup or any ancestor.
      - On hybrid cgroup hosts the v1 files are used when the cpu controller is on v1.
    type: float
  memory_mb:
    description:
      - Memory in MB (MiB) usable on the host, before O(reserved_memory_mb) is set aside and the rest shared by O(apps).
      - When not given, the smaller of C(MemAvailable) from C(/proc/meminfo) and the cgroup memory limit
        (v2 C(memory.max), v1 C(memory.limit_in_bytes)) of the process's cgroup or its tightest ancestor.
      - The limit itself counts, not the limit minus current usage, because the app's own running workers
        use part of it when the module runs again; subtracting them would lower the count on every run
        and restart the app each time.
    type: int
  worker_memory_mb:
    description:
      - Expected resident memory of one worker in MB.
      - A FastAPI worker measures about 45 MiB resident; the default leaves headroom for growth.
    type: int
    default: 64
  reserved_memory_mb:
    description:
      - Memory in MB kept for the operating system, nginx and the gunicorn master.
    type: int
    default: 256
  apps:
    description:
      - Number of apps sharing this host's CPUs and memory.
      - Each app gets O(cpus) divided by O(apps), and O(memory_mb) minus O(reserved_memory_mb) divided by O(apps).
    type: int
    default: 1
  threads:
    description:
      - Threads per worker, with V(gthread) only (more than 1 with another class fails).
      - Threads let a worker serve requests that wait on I/O side by side; they add no CPU, so the CPU
        count is still 2 * ceil(cpus) + 1, but each thread beyond the first adds O(thread_memory_mb) to
        the worker's memory.
    type: int
    default: 1
  thread_memory_mb:
    description:
      - Memory in MB that each thread beyond a worker's first adds (its stack and its request's objects).
    type: int
    default: 8
  min_workers:
    description:
      - Fewest workers to run. The module fails when the app's memory cannot hold this many.
    type: int
    default: 1
  max_workers:
    description:
      - Most workers to run. No cap when not given.
    type: int
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
    details: Reading host values needs Linux C(/proc) and C(/sys); with O(cpus) and O(memory_mb) given it runs anywhere.
    platforms: posix
notes:
  - C(MemAvailable) goes down with everything running, a running copy of the app included; where it is
    smaller than the cgroup limit (or there is none) and memory decides the count, give O(memory_mb)
    for a result that cannot move between runs.
  - MB means MiB (1048576 bytes) throughout.
'''

EXAMPLES = r'''
- name: Size the workers from what the host offers
  asgi.deploy.gunicorn_workers:
  register: sizing

- name: Use the result
  ansible.builtin.debug:
    msg: "{{ sizing.workers }} workers because {{ sizing.reason }}"

- name: Two sync apps on a 4 CPU, 4 GiB host, at most 8 workers each
  asgi.deploy.gunicorn_workers:
    worker_class: sync
    cpus: 4
    memory_mb: 4096
    apps: 2
    max_workers: 8

- name: A gthread app with 4 threads per worker
  asgi.deploy.gunicorn_workers:
    worker_class: gthread
    threads: 4
'''

RETURN = r'''
workers:
  description: Number of gunicorn workers for the app.
  returned: success
  type: int
  sample: 2
cpus:
  description: CPUs usable by this app after sharing among O(apps), rounded to 2 decimals.
  returned: success
  type: float
  sample: 2.0
memory_mb:
  description: Memory in MB for this app after O(reserved_memory_mb) is set aside and the rest shared among O(apps).
  returned: success
  type: int
  sample: 1792
bound:
  description: What decided the count.
  returned: success
  type: str
  choices: [cpu, memory, min, max]
  sample: cpu
reason:
  description: One readable sentence explaining the count.
  returned: success
  type: str
  sample: "4 workers: 2 per usable CPU (2.0 CPUs from affinity 2 and cgroup quota unlimited, shared by 1 app)"
sources:
  description: Where the host CPUs and memory came from.
  returned: success
  type: dict
  contains:
    cpus:
      description: >-
        V(given), V(affinity), V(cpuset), V(cgroup v2 cpu.max) or V(cgroup v1 cpu.cfs_quota_us),
        whichever was smallest.
      type: str
      sample: affinity
    memory_mb:
      description: >-
        V(given), V(MemAvailable), V(cgroup v2 memory.max) or V(cgroup v1 memory.limit_in_bytes),
        whichever was smallest.
      type: str
      sample: cgroup v2 memory.max
  sample: {"cpus": "affinity", "memory_mb": "cgroup v2 memory.max"}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._workers import (
    DEFAULT_WORKER_CLASS,
    WORKER_CLASSES,
    WorkerSizingError,
    read_cpus,
    read_memory,
    size_workers,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            worker_class=dict(type='str', default=DEFAULT_WORKER_CLASS, choices=list(WORKER_CLASSES)),
            cpus=dict(type='float'),
            memory_mb=dict(type='int'),
            worker_memory_mb=dict(type='int', default=64),
            reserved_memory_mb=dict(type='int', default=256),
            apps=dict(type='int', default=1),
            min_workers=dict(type='int', default=1),
            max_workers=dict(type='int'),
            threads=dict(type='int', default=1),
            thread_memory_mb=dict(type='int', default=8),
        ),
        supports_check_mode=True,
    )
    params = module.params

    try:
        cpus, cpus_source, cpus_origin = params['cpus'], 'given', 'given'
        if cpus is None:
            cpus, cpus_source, detail = read_cpus()
            cpus_origin = 'from ' + detail

        memory_mb, memory_source, memory_origin = params['memory_mb'], 'given', 'given'
        if memory_mb is None:
            memory_mb, memory_source, detail = read_memory()
            memory_origin = 'from ' + detail

        result = size_workers(
            worker_class=params['worker_class'],
            cpus=cpus,
            memory_mb=memory_mb,
            worker_memory_mb=params['worker_memory_mb'],
            reserved_memory_mb=params['reserved_memory_mb'],
            apps=params['apps'],
            min_workers=params['min_workers'],
            max_workers=params['max_workers'],
            threads=params['threads'],
            thread_memory_mb=params['thread_memory_mb'],
            cpus_origin=cpus_origin,
            memory_origin=memory_origin,
        )
    except WorkerSizingError as exc:
        module.fail_json(msg=str(exc))

    module.exit_json(changed=False, sources={'cpus': cpus_source, 'memory_mb': memory_source}, **result)


if __name__ == '__main__':
    main()
