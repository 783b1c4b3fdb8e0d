# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter pending_units: the units M(asgi.deploy.units) would act on, from systemctl show's lines (module_utils/_units.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: pending_units
short_description: The names of the units M(asgi.deploy.units) would run a systemctl verb for
version_added: 0.1.0
description:
  - The same decision as M(asgi.deploy.units) makes per unit (enable or disable, then start, stop or
    restart), from the lines of C(systemctl show --property=Id,LoadState,ActiveState,UnitFileState)
    for those units, which the role C(asgi.deploy.asgi) reads in the command it already runs on the host.
  - A unit the lines do not name is pending, and so is every C(restarted) one. An empty list means the
    module would change nothing, and its run can be skipped.
options:
  _input:
    description: The units, as the O(asgi.deploy.units#module:units) option takes them (C(name), C(state), C(enabled)).
    type: list
    elements: dict
    required: true
  shown:
    description: The lines of C(systemctl show --property=Id,LoadState,ActiveState,UnitFileState) for the units.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Enable and start nginx, only when it is not both already
  asgi.deploy.units:
    units: [{name: nginx.service, state: started, enabled: true}]
  when: >-
    [{'name': 'nginx.service', 'state': 'started', 'enabled': true}]
    | asgi.deploy.pending_units(shown.stdout_lines) | length > 0
"""

RETURN = r"""
_value:
  description: The names of the units that need a systemctl verb, in the units' order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._units import UnitsError, pending, shown_units


def _pending_units(units, shown):
    try:
        return pending(units, shown_units(shown))
    except UnitsError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"pending_units": _pending_units}
