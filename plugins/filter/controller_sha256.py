# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter controller_sha256: the SHA-256 of files on the controller, read where the
filter runs (a stat task delegated to localhost cost a module run per file)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: controller_sha256
short_description: The SHA-256 of each of the given files on the controller
version_added: 0.1.0
description:
  - Reads each file on the controller and returns its SHA-256 by path; a path that is not a
    regular file (or cannot be read) maps to null, so a task can name it.
options:
  _input:
    description: The paths on the controller.
    type: list
    elements: path
    required: true
"""

EXAMPLES = r"""
- name: Fingerprint the files shipped from the controller
  ansible.builtin.set_fact:
    shipped: "{{ ['dist/shop-1.0-py3-none-any.whl'] | asgi.deploy.controller_sha256 }}"
"""

RETURN = r"""
_value:
  description: The SHA-256 in hexadecimal by path, null for a path that is not a readable file.
  type: dict
"""

import hashlib
import os

CHUNK = 1 << 20


def _sha256(path):
    if not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except (IOError, OSError):
        return None
    return digest.hexdigest()


def controller_sha256(paths):
    return dict((path, _sha256(path)) for path in paths)


class FilterModule(object):
    def filters(self):
        return {"controller_sha256": controller_sha256}
