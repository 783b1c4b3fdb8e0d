# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter run_argv: the command line of a one-off command in an app's live slot (module_utils/_run.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: run_argv
short_description: The command line that runs a one-off command in an app's live slot
version_added: 0.1.0
description:
  - A C(systemd-run) command line that runs a shell command as the app's user, with the live
    slot's environment file, the live release's venv first on C(PATH), in the app's shared
    directory, inside the sandbox of the live slot's own service drop-in.
  - Fails when nothing is live (C(live.sock) names no slot's socket) or the command is empty.
options:
  _input:
    description: The app's record.
    type: dict
    required: true
  link_target:
    description: Where the app's C(live.sock) link points, null when there is none.
    type: str
    required: true
  command:
    description: The shell command.
    type: str
    required: true
  dropins:
    description: The content of each slot's service drop-in by slot, base64-encoded (as M(ansible.builtin.slurp) reads it).
    type: dict
    required: true
  unparsed:
    description:
      - The words of C(-e) that Ansible read as no C(key=value) (an unquoted command with blanks);
        any fails the run before anything runs.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: The command line
  ansible.builtin.set_fact:
    argv: "{{ app | asgi.deploy.run_argv(link.stat.lnk_source, 'django-admin check', {'a': dropin.content}) }}"
"""

RETURN = r"""
_value:
  description: The command line, one argument per item.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._run import RunError, run_argv


def _run_argv(app, link_target, command, dropins, unparsed=None):
    try:
        return run_argv(app, link_target, command, dropins, unparsed)
    except RunError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"run_argv": _run_argv}
