#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: release_build
short_description: Build a release's venv by running its build steps in a sandbox
version_added: 0.2.0
description:
  - Runs the steps the filter M(asgi.deploy.release_build_plan) planned (create the venv, install the
    hash-locked server packages, install the app, check the set), in order, each behind the O(sandbox)
    command prefix. The first step that fails ends the build, and the module fails naming it with the
    end of its output.
  - With O(offline_fallback), a build that failed from the package index runs again from the host's
    cache alone (uv's C(UV_OFFLINE)), so a set of packages built before builds with the index
    unreachable. When that fails too, the error shown is the index attempt's.
  - Always reports C(changed=true) when it runs; the role runs it only for a release not built yet.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  steps:
    description: The steps, each with a name (C(step)) and an argument list (C(argv)).
    type: list
    elements: dict
    required: true
  sandbox:
    description: The command prefix every step runs behind, for example a C(systemd-run) argument list.
    type: list
    elements: str
    default: []
  offline_fallback:
    description: Run a failed build again from the cache alone (uv only).
    type: bool
    default: false
  redact:
    description: Values that are replaced by C(********) in the error shown.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: none
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
'''

EXAMPLES = r'''
- name: Build the release's venv
  asgi.deploy.release_build:
    steps: "{{ plan.steps }}"
    sandbox: [systemd-run, --quiet, --wait, --pipe, --collect, --uid=asgi-build]
    offline_fallback: true
'''

RETURN = r'''
steps:
  description: The names of the steps that ran, the failed one last.
  returned: always
  type: list
  elements: str
  sample: [venv, server packages, app, check]
offline:
  description: Whether the release was built from the host's cache alone.
  returned: success
  type: bool
failed_step:
  description: The step that failed.
  returned: failure
  type: str
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._build import run_build
from ansible_collections.asgi.deploy.plugins.module_utils._redact import redact


def main():
    module = AnsibleModule(
        argument_spec=dict(
            steps=dict(type="list", elements="dict", required=True),
            sandbox=dict(type="list", elements="str", default=[]),
            offline_fallback=dict(type="bool", default=False),
            redact=dict(type="list", elements="str", default=[], no_log=True),
        ),
        supports_check_mode=False,
    )
    params = module.params
    result = run_build(params["steps"], params["sandbox"],
                       lambda argv: module.run_command(argv, check_rc=False),
                       offline_fallback=params["offline_fallback"])
    if not result["ok"]:
        module.fail_json(msg="step %s: %s" % (result["failed_step"], redact(result["error"], params["redact"])),
                         steps=result["steps"], failed_step=result["failed_step"])
    module.exit_json(changed=True, steps=result["steps"], offline=result["offline"])


if __name__ == "__main__":
    main()
