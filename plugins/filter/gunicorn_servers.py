# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gunicorn_servers: each app's gunicorn worker class and threads (module_utils/_workers.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gunicorn_servers
short_description: The gunicorn worker class and threads of each app
version_added: 0.1.0
description:
  - Per app, its own C(worker_class), else O(worker_class) for an ASGI app and O(wsgi_worker_class)
    for a WSGI one; its C(threads), else O(threads), with the C(gthread) worker class and 1 with any other.
  - The companion filter C(asgi.deploy.gunicorn_sizings) lists the distinct ones among the apps whose
    worker count is not given, so that M(asgi.deploy.gunicorn_workers) runs once for all the apps that
    run the same, not once per app.
options:
  _input:
    description: The app records of the filter C(asgi.deploy.asgi_apps_normalize) (C(name), C(interface), C(worker_class), C(threads)).
    type: list
    elements: dict
    required: true
  worker_class:
    description: The worker class of ASGI apps that name none (C(gunicorn_worker_class)).
    type: str
    required: true
  wsgi_worker_class:
    description: The worker class of WSGI apps that name none (C(gunicorn_wsgi_worker_class)).
    type: str
    required: true
  threads:
    description: The threads of C(gthread) apps that give none (C(gunicorn_threads)).
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Show the worker class of each app
  ansible.builtin.debug:
    msg: "{{ asgi_app_records | asgi.deploy.gunicorn_servers('uvicorn_worker.UvicornWorker', 'sync', 1) }}"
"""

RETURN = r"""
_value:
  description: Per app's name, its C(worker_class) and C(threads).
  type: dict
"""

from ansible_collections.asgi.deploy.plugins.module_utils._workers import app_servers


class FilterModule(object):
    def filters(self):
        return {"gunicorn_servers": app_servers}
