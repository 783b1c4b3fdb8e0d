# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gunicorn_files: the files the gunicorn role writes for the apps."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gunicorn_files
short_description: The staged files and systemd template units of the apps, as asgi.deploy.files entries
version_added: 0.1.0
description:
  - For every app, the files staged for the next switch (the slot's C(gunicorn.conf.py),
    C(service.conf) and C(socket.conf), each process's and timer's command script and
    sandbox drop-in) and the template units below C(/etc/systemd/system) (the slots' socket
    and service, a process's service per slot, a timer's service).
  - Each entry names its template and the variables it is rendered with (C(app), and for a
    process or timer C(entry), C(kind) and C(slot)).
options:
  _input:
    description: The apps' records (the C(asgi.deploy.asgi_apps_normalize) filter's).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Stage the files
  asgi.deploy.files:
    files: "{{ (asgi_app_records | asgi.deploy.gunicorn_files).staged }}"
"""

RETURN = r"""
_value:
  description: C(staged) and C(units), lists of asgi.deploy.files entries.
  type: dict
"""

from ansible_collections.asgi.deploy.plugins.module_utils._unit_files import unit_files


class FilterModule(object):
    def filters(self):
        return {"gunicorn_files": unit_files}
