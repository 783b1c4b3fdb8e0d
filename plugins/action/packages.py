# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of asgi.deploy.packages: one dpkg-query over the connection;
the module goes to the host only when a package is missing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.asgi.deploy.plugins.module_utils._escape import shell_word
from ansible_collections.asgi.deploy.plugins.module_utils._packages import PackagesError, checked, missing, query_argv


class ActionModule(ActionBase):

    _VALID_ARGS = frozenset(('name', 'cache_valid_time'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        names = self._task.args.get('name')
        if not isinstance(names, list):
            raise AnsibleActionFail('name must be a list of package names')
        try:
            names = checked(names)
        except PackagesError as error:
            raise AnsibleActionFail(str(error))
        # dpkg-query reads only: it runs as the connection's user.
        query = self._low_level_execute_command(' '.join(shell_word(word) for word in query_argv(names)),
                                                sudoable=False)
        if query.get('rc') in (0, 1) and not missing(names, query.get('stdout', '')):
            result.update(changed=False, installed=[])
            return result
        result.update(self._execute_module(module_name='asgi.deploy.packages', module_args=self._task.args,
                                           task_vars=task_vars))
        return result
