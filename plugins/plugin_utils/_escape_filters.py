# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every escaping filter does around its function from module_utils/_escape.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._escape import EscapeError


def escaping_filter(name, escape):
    """The filter asgi.deploy.<name>: escape(value), with its EscapeError as an error naming the filter."""
    def apply(value):
        try:
            return escape(value)
        except EscapeError as exc:
            raise AnsibleFilterError("asgi.deploy.%s: %s" % (name, to_native(exc)))
    return apply
