# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter release_path: a release's directory, asserted to be inside its parent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: release_path
short_description: The directory of a release, checked to be directly inside its parent
version_added: 0.2.0
description:
  - Joins a directory and a release id, after checking the id is one (a letter or digit,
    then letters, digits, C(.), C(_) or C(-)) and that the result lies directly inside the
    directory. Every path the collection builds or deletes a release at comes from it.
options:
  _input:
    description: The directory, for example an app's C(releases_dir).
    type: path
    required: true
  release:
    description: The release id.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Remove a release
  ansible.builtin.file:
    path: "{{ app.releases_dir | asgi.deploy.release_path('r-0123abcd4567') }}"
    state: absent
"""

RETURN = r"""
_value:
  description: The release's directory.
  type: path
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError, release_path


def _release_path(directory, release):
    try:
        return release_path(directory, release)
    except PlanError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"release_path": _release_path}
