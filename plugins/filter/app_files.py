# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter app_files: what the app role writes for every app, as asgi.deploy.files entries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: app_files
short_description: The apps' directories and staged environment files, as asgi.deploy.files entries
version_added: 0.1.0
description:
  - For every app, its directories (home, releases, slots, working directory, shared and
    configuration directories, the staged files' directory) and its staged environment file. An app
    whose builds use a package index of its own (C(source.index_url), C(source.extra_index_url)) gets
    pip's and uv's settings for it, readable by the build user.
  - Also, by app name, the staged environment file, the build marker of the release named in
    O(releases) and the index settings' files.
options:
  _input:
    description: The apps' records (the C(asgi.deploy.asgi_apps_normalize) filter's).
    type: list
    elements: dict
    required: true
  raw_apps:
    description: C(asgi_apps) as written, whose sources keep the credentials of their URLs.
    type: list
    elements: dict
    required: true
  secret_env:
    description: Each app's secret environment by app name (the C(asgi.deploy.secret_env) filter's).
    type: dict
    required: true
  releases:
    description: The release id of each app by app name.
    type: dict
    required: true
  build_dir:
    description: The directory of the builds' index settings.
    type: path
    required: true
  build_user:
    description: The user who builds the releases.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Create the apps' directories
  asgi.deploy.files:
    files: "{{ (asgi_app_records | asgi.deploy.app_files(asgi_apps, secrets, releases, '/etc/asgi-deploy/build', 'asgi-build')).directories }}"
"""

RETURN = r"""
_value:
  description:
    - C(directories) and C(staged), lists of asgi.deploy.files entries of every app.
    - C(env_files), C(markers) and C(index_files), by app name. C(index_files) maps C(pip) and C(uv) to
      their settings' files, and is empty for an app without index settings.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._app_files import app_files
from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError


def _app_files(apps, raw_apps, secret_env, releases, build_dir, build_user):
    try:
        return app_files(apps, raw_apps, secret_env, releases, build_dir, build_user)
    except PlanError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"app_files": _app_files}
