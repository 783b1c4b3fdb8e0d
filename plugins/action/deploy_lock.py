# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of asgi.deploy.deploy_lock: who the run is, and whether a holder
on this controller is still running."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import getpass
import os
import socket
import time

from ansible.plugins.action import ActionBase

from ansible_collections.asgi.deploy.plugins.module_utils._lock import describe


def _process_start(pid):
    """The start of a process in clock ticks since boot, with the boot's id: a PID that
    was reused after the holder died starts at another time. None where /proc is not."""
    try:
        with open('/proc/%d/stat' % pid) as stat, open('/proc/sys/kernel/random/boot_id') as boot:
            return '%s:%s' % (boot.read().strip(), stat.read().rsplit(')', 1)[1].split()[19])
    except (IOError, OSError, IndexError):
        return None


def _running(holder):
    try:
        os.kill(int(holder['pid']), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    started = holder.get('started')
    return started is None or _process_start(int(holder['pid'])) == started


class ActionModule(ActionBase):

    _VALID_ARGS = frozenset(('path', 'state', 'wait', 'expire'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        # The worker running this is a child of the run's ansible-playbook process.
        playbook_pid = os.getppid()
        args['holder'] = {'host': socket.gethostname(), 'pid': playbook_pid, 'started': _process_start(playbook_pid),
                          'user': getpass.getuser(), 'since': time.time()}

        def attempt(**overrides):
            return self._execute_module(module_name='asgi.deploy.deploy_lock', module_args=dict(args, **overrides),
                                        task_vars=task_vars)

        if args.get('state', 'acquired') == 'released' or self._task.check_mode:
            result.update(attempt())
            return result
        outcome = attempt(wait=0)
        holder = outcome.get('holder') or {}
        if not outcome.get('acquired') and holder.get('host') == args['holder']['host'] and not _running(holder):
            outcome = attempt(wait=0, expect=holder)
        if not outcome.get('acquired') and not outcome.get('failed'):
            outcome = attempt()
        result.update(outcome)
        if not outcome.get('acquired') and not outcome.get('failed'):
            result['failed'] = True
            result['msg'] = ('%s is held by another run: %s. Waited %s s; try again when it has finished.'
                             % (args['path'], describe(outcome.get('holder') or {}), args.get('wait', 120)))
        elif outcome.get('took_over'):
            result['warnings'] = result.get('warnings', []) + [
                'took over the deploy lock %s of a run that is gone: %s' % (args['path'], describe(outcome['took_over']))]
        return result
