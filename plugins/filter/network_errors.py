# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter network_errors: what is wrong in a list of addresses and networks (module_utils/_observe.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: network_errors
short_description: The entries of a list that are no IP address or network
version_added: 0.1.0
description:
  - One message per entry that is not an IPv4 or IPv6 address or CIDR network, such as
    the metrics server's allow-list (C(monitoring_metrics_allow)); an empty list when all are.
options:
  _input:
    description: The addresses and networks.
    type: list
    elements: raw
    required: true
"""

EXAMPLES = r"""
- name: Check an allow-list
  ansible.builtin.assert:
    that: "['10.0.0.0/8', '192.0.2.7'] | asgi.deploy.network_errors | length == 0"
"""

RETURN = r"""
_value:
  description: The problems, one per bad entry.
  type: list
  elements: str
"""

from ansible_collections.asgi.deploy.plugins.module_utils._observe import network_errors


class FilterModule(object):
    def filters(self):
        return {"network_errors": network_errors}
