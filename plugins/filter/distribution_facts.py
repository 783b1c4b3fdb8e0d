# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter distribution_facts: the host's distribution from its /etc/os-release (module_utils/_platform.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: distribution_facts
short_description: A host's distribution from the text of its /etc/os-release, named as Ansible's facts name it
version_added: 0.1.0
description:
  - C(os_family), C(distribution) and C(distribution_major_version), as the setup module's distribution
    facts give them for the families the roles know (Debian, RedHat). The collection's playbooks gather
    no facts; the role C(asgi.deploy.asgi) reads the file in the command it already runs on the host.
options:
  _input:
    description: The text of C(/etc/os-release), or its lines.
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Name the host's distribution
  ansible.builtin.debug:
    msg: "{{ (os_release.stdout | asgi.deploy.distribution_facts).distribution }}"
"""

RETURN = r"""
_value:
  description: C(os_family), C(distribution) and C(distribution_major_version).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._platform import PlatformError, distribution_facts


def _distribution_facts(text):
    try:
        return distribution_facts(text)
    except PlatformError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"distribution_facts": _distribution_facts}
