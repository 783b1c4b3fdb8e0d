# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gunicorn_interface: how a gunicorn worker class calls the app (module_utils/_observe.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gunicorn_interface
short_description: Whether a gunicorn worker class calls the app as ASGI or WSGI
version_added: 0.1.0
description:
  - C(asgi) for the Uvicorn workers and gunicorn's C(asgi) worker, C(wsgi) for the others
    (C(sync), C(gthread), ...). The request middleware of the app's gunicorn follows it.
options:
  _input:
    description: The worker class, as gunicorn's C(worker_class) setting names it.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Show how the app is called
  ansible.builtin.debug:
    msg: "{{ 'uvicorn_worker.UvicornWorker' | asgi.deploy.gunicorn_interface }}"
"""

RETURN = r"""
_value:
  description: C(asgi) or C(wsgi).
  type: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._observe import interface


class FilterModule(object):
    def filters(self):
        return {"gunicorn_interface": interface}
