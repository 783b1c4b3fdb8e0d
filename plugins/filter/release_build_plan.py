# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter release_build_plan: the files and commands that build a release's venv."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: release_build_plan
short_description: The files and commands that build a release's venv, for uv or pip
version_added: 0.2.0
description:
  - Decides how a release's venv is built. The server packages always come from a hash-checked
    lock, with its pins held while the app installs. An app's hash-locked requirements file, its
    pylock.toml (turned into hash-checked requirements) or the uv.lock of a uv project is its whole
    dependency set, installed in one hash-checked step with the server lock; then the app alone.
    Plain requirements and constraints are resolved against the index with the server pins held.
  - Both installers take the same inputs. Run the steps with M(asgi.deploy.release_build).
options:
  _input:
    description: The installer, V(uv) or V(pip).
    type: str
    required: true
  uv:
    description: The uv command.
    type: path
    required: true
  python:
    description: The interpreter the venv is created with.
    type: path
    required: true
  release_dir:
    description: The release's directory; the venv is its C(venv), shipped files are in its C(dist).
    type: path
    required: true
  server_lock:
    description: The text of the server packages' hash-locked requirements.
    type: str
    required: true
  target:
    description: What installs the app (a wheel, an sdist, a source tree or a requirement).
    type: str
    required: true
  build_user:
    description: The user who builds the release, and owns its directory while it builds.
    type: str
    required: true
  requirements:
    description: The file name and text of the app's requirements (plain, hash-locked or pylock.toml).
    type: list
    elements: str
  constraints:
    description: The file name of the app's constraints in C(dist).
    type: str
  extra_args:
    description: Arguments added to every install.
    type: list
    elements: str
  uv_project:
    description: The source tree is a uv project with a C(uv.lock), which is the app's lock.
    type: bool
    default: false
  shipped:
    description: Files on the controller (the artifact, requirements, constraints) uploaded to C(dist) under their names.
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: Plan the build
  ansible.builtin.set_fact:
    build: "{{ 'uv' | asgi.deploy.release_build_plan(uv='/opt/asgi-deploy/tools/uv-0.13.9/bin/uv', python='/usr/bin/python3',
               release_dir='/srv/shop/releases/r-1', server_lock=lookup('ansible.builtin.file', 'server.lock'),
               target='/srv/shop/releases/r-1/dist/shop-1.0-py3-none-any.whl', build_user='asgi-build') }}"
"""

RETURN = r"""
_value:
  description: >-
    C(files) (name to text, written to C(dist) first), C(layout) (the release's directory, its C(dist),
    those files and the shipped ones, as M(asgi.deploy.files) entries), C(steps) (each C(step) and C(argv)),
    C(locked).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._build import BuildSpecError, build_plan


def _release_build_plan(installer, uv, python, release_dir, server_lock, target, build_user, requirements=None,
                        constraints=None, extra_args=(), uv_project=False, shipped=()):
    try:
        return build_plan(installer, uv, python, release_dir, server_lock, target, build_user,
                          requirements=tuple(requirements) if requirements else None, constraints=constraints,
                          extra_args=extra_args, uv_project=uv_project, shipped=tuple(shipped))
    except BuildSpecError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"release_build_plan": _release_build_plan}
