# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gunicorn_sizings: the distinct worker classes and threads to size workers for (module_utils/_workers.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gunicorn_sizings
short_description: The distinct worker classes and threads of the apps whose worker count is not given
version_added: 0.1.0
description:
  - Of the apps without C(workers), each distinct C(worker_class) and C(threads) their gunicorn runs
    (as the filter C(asgi.deploy.gunicorn_servers) gives them), in the apps' order.
  - M(asgi.deploy.gunicorn_workers) gives every app of the same worker class and threads the same count,
    so it runs once per item, not once per app.
options:
  _input:
    description: The app records of the filter C(asgi.deploy.asgi_apps_normalize) (C(name), C(workers)).
    type: list
    elements: dict
    required: true
  servers:
    description: The output of the filter C(asgi.deploy.gunicorn_servers) for those apps.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Size the workers once per worker class and threads
  asgi.deploy.gunicorn_workers:
    worker_class: "{{ sizing.worker_class }}"
    threads: "{{ sizing.threads }}"
    apps: "{{ apps | length }}"
  loop: "{{ apps | asgi.deploy.gunicorn_sizings(servers) }}"
  loop_control:
    loop_var: sizing
  vars:
    servers: "{{ apps | asgi.deploy.gunicorn_servers('uvicorn_worker.UvicornWorker', 'sync', 1) }}"
"""

RETURN = r"""
_value:
  description: The distinct C(worker_class) and C(threads), each a dict.
  type: list
  elements: dict
"""

from ansible_collections.asgi.deploy.plugins.module_utils._workers import sizings


class FilterModule(object):
    def filters(self):
        return {"gunicorn_sizings": sizings}
