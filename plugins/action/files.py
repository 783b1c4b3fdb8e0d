# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's side of asgi.deploy.files: an entry's template (from the role's
templates, through the ansible.builtin.template lookup, so exactly as that renders it) or
file (from the role's files) becomes its content, and a file to upload is sent to a
temporary directory on the host, which the module copies from; then the module makes
every entry on the host in one call."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.plugins.loader import lookup_loader


class ActionModule(ActionBase):

    # A temporary directory is made only for a call with a file to upload.
    TRANSFERS_FILES = False

    def _content(self, entry, task_vars):
        if entry.get('template'):
            lookup = lookup_loader.get('ansible.builtin.template', loader=self._loader, templar=self._templar)
            return lookup.run([entry['template']], variables=task_vars, template_vars=entry.get('template_vars') or {})[0]
        if entry.get('src'):
            return self._loader.get_text_file_contents(self._find_needle('files', entry['src']))
        return entry.get('content')

    def _uploaded(self, entry):
        """Send the entry's controller file to the task's temporary directory on the host;
        the host path it lies at."""
        local = self._find_needle('files', entry['upload'])
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        remote = self._connection._shell.join_path(
            self._connection._shell.tmpdir, 'upload-%d-%s' % (len(self._uploads), os.path.basename(local)))
        self._transfer_file(local, remote)
        self._uploads.append(remote)
        return remote

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        entries = self._task.args.get('files')
        if not isinstance(entries, list):
            raise AnsibleActionFail('files must be a list of entries')
        self._uploads = []
        try:
            rendered = []
            for entry in entries:
                if not isinstance(entry, dict):
                    raise AnsibleActionFail('each entry of files must be a dictionary')
                sources = [key for key in ('template', 'src', 'upload', 'content', 'copy_from') if entry.get(key) is not None]
                if len(sources) > 1:
                    raise AnsibleActionFail('%s: give one of template, src, upload, content and copy_from' % entry.get('path'))
                made = dict((key, value) for key, value in entry.items() if key not in ('template', 'template_vars', 'src', 'upload'))
                if sources and sources[0] in ('template', 'src'):
                    made['content'] = self._content(entry, task_vars)
                elif sources and sources[0] == 'upload':
                    made['copy_from'] = self._uploaded(entry)
                rendered.append(made)
            if self._uploads:
                # Readable by the user the module runs as (become).
                self._fixup_perms2([self._connection._shell.tmpdir] + self._uploads)
            module_args = dict(files=rendered, look_for=self._task.args.get('look_for') or [])
            result.update(self._execute_module(module_name='asgi.deploy.files', module_args=module_args,
                                               task_vars=task_vars))
        finally:
            if self._connection._shell.tmpdir is not None:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
