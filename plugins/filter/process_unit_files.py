# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter process_unit_files: the files the gunicorn role writes for the apps' processes and timers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: process_unit_files
short_description: The staged files and unit templates of the apps' processes and timers
version_added: 0.1.0
description:
  - For every process and timer of every app, the files staged for the next switch (the
    command's script and the drop-in with the sandbox) and the unit templates below
    C(/etc/systemd/system) (a process's one per slot, a timer's service one for both slots).
options:
  _input:
    description: The apps' records (the C(asgi.deploy.asgi_apps_normalize) filter's).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The files
  ansible.builtin.set_fact:
    files: "{{ asgi_app_records | asgi.deploy.process_unit_files }}"
"""

RETURN = r"""
_value:
  description: C(staged) and C(units), lists of dicts with the app, the entry, the template and where it goes.
  type: dict
"""

from ansible_collections.asgi.deploy.plugins.module_utils._processes import unit_files


class FilterModule(object):
    def filters(self):
        return {"process_unit_files": unit_files}
