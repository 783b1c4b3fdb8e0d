# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter switch_files: the files a step of a release switch writes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: switch_files
short_description: The directories, files and links a step of a release switch writes, as asgi.deploy.files entries
version_added: 0.1.0
description:
  - For the C(configure) step of a release plan (C(asgi.deploy.release_plan)), the candidate slot's
    directories, its configuration copied on the host from the staged files (or from those kept with
    the release it rolls back to) and the C(state.json) the next plan reads.
  - For the C(record) step, the C(current) and C(previous) links.
  - For the C(commit) step, the links, then the slot's configuration kept with the release and its
    fingerprint.
options:
  _input:
    description: The app's record (the C(asgi.deploy.asgi_apps_normalize) filter's).
    type: dict
    required: true
  step:
    description: The plan's step.
    type: dict
    required: true
  fingerprint:
    description: The plan's fingerprint, kept with the release by the C(commit) step.
    type: str
"""

EXAMPLES = r"""
- name: Configure the candidate slot
  asgi.deploy.files:
    files: "{{ app | asgi.deploy.switch_files(_release_step.configure) }}"
"""

RETURN = r"""
_value:
  description: The asgi.deploy.files entries, in the order they are made.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils import _switch_files
from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError


def switch_files(app, step, fingerprint=None):
    try:
        if step["step"] == "configure":
            return _switch_files.configure(app, step)
        if step["step"] == "record":
            return _switch_files.record(app, step)
        if step["step"] == "commit":
            if fingerprint is None:
                raise AnsibleFilterError("switch_files: the commit step needs the plan's fingerprint")
            return _switch_files.commit(app, step, fingerprint)
    except PlanError as exc:
        raise AnsibleFilterError(to_native(exc))
    raise AnsibleFilterError("switch_files: %r is not a step that writes files (configure, record or commit)"
                             % step.get("step"))


class FilterModule(object):
    def filters(self):
        return {"switch_files": switch_files}
