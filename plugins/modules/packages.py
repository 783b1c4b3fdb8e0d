#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: packages
short_description: Install the Debian packages that are missing, and only look when none is
version_added: 0.1.0
description:
  - Asks dpkg which of the packages are installed. When all are, nothing else runs; the action plugin
    asks with one command over the connection, so no module is sent to the host at all.
  - Otherwise updates apt's package lists when they are older than O(cache_valid_time), then installs
    the missing packages with C(apt-get), non-interactively, keeping the host's changed configuration
    files (as M(ansible.builtin.apt) does).
  - Fails when a package that was installed is still not reported installed, as a virtual package is
    not; name the package that provides it.
  - Never upgrades or removes a package.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  name:
    description: The packages' names.
    type: list
    elements: str
    required: true
  cache_valid_time:
    description: How old apt's package lists may be, in seconds, before an install updates them.
    type: int
    default: 3600
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: debian
'''

EXAMPLES = r'''
- name: Install nginx
  asgi.deploy.packages:
    name: [nginx, python3-cryptography]
'''

RETURN = r'''
installed:
  description: The packages that were installed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [nginx]
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._packages import (
    APT_ENV, PackagesError, cache_is_stale, checked, install_argv, missing, query_argv)

# apt's stamp of its last successful update (Debian's 15update-stamp), else its cache.
CACHE_STAMPS = ('/var/lib/apt/periodic/update-success-stamp', '/var/cache/apt/pkgcache.bin')


def _missing(module, names):
    code, out, err = module.run_command(query_argv(names))
    # 1: dpkg knows some of them not at all (they are missing).
    if code not in (0, 1):
        module.fail_json(msg='dpkg-query exited %d: %s' % (code, (err or out).strip()))
    return missing(names, out)


def _cache_mtime():
    for path in CACHE_STAMPS:
        if os.path.exists(path):
            return os.stat(path).st_mtime
    return None


def _run_apt(module, argv):
    code, out, err = module.run_command(argv, environ_update=APT_ENV)
    if code != 0:
        module.fail_json(msg='%s exited %d: %s' % (' '.join(argv), code, (err or out).strip()[-2000:]))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='list', elements='str', required=True),
            cache_valid_time=dict(type='int', default=3600),
        ),
        supports_check_mode=True,
    )
    try:
        names = checked(module.params['name'])
    except PackagesError as error:
        module.fail_json(msg=str(error))
    wanted = _missing(module, names)
    if not wanted or module.check_mode:
        module.exit_json(changed=bool(wanted), installed=wanted)
    if cache_is_stale(_cache_mtime(), time.time(), module.params['cache_valid_time']):
        _run_apt(module, ['apt-get', '-q', 'update'])
    _run_apt(module, install_argv(wanted))
    still = _missing(module, wanted)
    if still:
        module.fail_json(msg='apt-get installed %s, but dpkg does not report %s installed: a virtual package? '
                             'Name the package that provides it.' % (', '.join(wanted), ', '.join(still)))
    module.exit_json(changed=True, installed=wanted)


if __name__ == '__main__':
    main()
