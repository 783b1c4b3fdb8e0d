#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: selfsigned_certificate
short_description: Keep a self-signed certificate and its P-256 key for a list of names, in one module call
version_added: 0.1.0
description:
  - Keeps the key when it is a P-256 key, and the certificate when it is of that key, for the names
    (the first the subject's common name, all of them its DNS names) and does not end within
    O(renew_days). Otherwise makes what is lacking; a new key always gets a new certificate.
  - Each file is written beside its path and moved over it, root's, the key readable by root only.
  - Needs Python's cryptography on the host (Debian's C(python3-cryptography)).
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  key_path:
    description: The private key's path.
    type: path
    required: true
  cert_path:
    description: The certificate's path.
    type: path
    required: true
  names:
    description: The DNS names the certificate is for.
    type: list
    elements: str
    required: true
  days:
    description: How many days a new certificate is valid.
    type: int
    default: 365
  renew_days:
    description: A certificate that ends within this many days is made again.
    type: int
    default: 30
requirements:
  - cryptography
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
'''

EXAMPLES = r'''
- name: Keep hello's self-signed certificate
  asgi.deploy.selfsigned_certificate:
    key_path: /etc/ssl/asgi-deploy/private/hello.key
    cert_path: /etc/ssl/asgi-deploy/hello.crt
    names: [hello.example.com, www.hello.example.com]
'''

RETURN = r'''
changed_paths:
  description: The key or certificate paths that were written or had their owner or mode set.
  returned: always
  type: list
  elements: str
reasons:
  description: Why the key or the certificate was made (or would be, in check mode); empty when both were kept.
  returned: always
  type: list
  elements: str
  sample: [no certificate]
'''

import datetime

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.asgi.deploy.plugins.module_utils import _selfsigned
from ansible_collections.asgi.deploy.plugins.module_utils._files import FilesError, apply, checked, read_bytes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            key_path=dict(type='path', required=True),
            cert_path=dict(type='path', required=True),
            names=dict(type='list', elements='str', required=True),
            days=dict(type='int', default=365),
            renew_days=dict(type='int', default=30),
        ),
        supports_check_mode=True,
    )
    if _selfsigned.CRYPTOGRAPHY_ERROR is not None:
        module.fail_json(msg=missing_required_lib('cryptography'), exception=str(_selfsigned.CRYPTOGRAPHY_ERROR))
    params = module.params
    if not params['names']:
        module.fail_json(msg='names: a certificate needs at least one name')
    now = datetime.datetime.now(_selfsigned.UTC).replace(microsecond=0)
    key_pem = read_bytes(params['key_path'])
    reasons = [reason for reason in [_selfsigned.key_problem(key_pem)] if reason]
    if reasons:
        key_pem = _selfsigned.new_key()
        cert_pem = None
    else:
        cert_pem = read_bytes(params['cert_path'])
        reasons = _selfsigned.certificate_problems(cert_pem, key_pem, params['names'], now, params['renew_days'])
        if reasons:
            cert_pem = None
    if cert_pem is None:
        cert_pem = _selfsigned.new_certificate(key_pem, params['names'], now, params['days'])
    entries = [
        {'path': params['key_path'], 'content': key_pem.decode('ascii'), 'owner': 'root', 'group': 'root', 'mode': '0600'},
        {'path': params['cert_path'], 'content': cert_pem.decode('ascii'), 'owner': 'root', 'group': 'root', 'mode': '0644'},
    ]
    try:
        results = apply(checked(entries), check_mode=module.check_mode)
    except (FilesError, OSError) as error:
        module.fail_json(msg=str(error))
    changed = [result['path'] for result in results if result['changed']]
    module.exit_json(changed=bool(changed), changed_paths=changed, reasons=reasons)


if __name__ == '__main__':
    main()
