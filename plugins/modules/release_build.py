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
  - Runs the steps the filter P(asgi.deploy.release_build_plan#filter) planned (create the venv, install the
    hash-locked server packages, install the app, check the set), in order, each behind the O(sandbox)
    command prefix. The first step that fails ends the build, and the module fails naming it with the
    end of its output.
  - With O(offline_fallback), a build that failed from the package index runs again from the host's
    cache alone (uv's C(UV_OFFLINE)), so a set of packages built before builds with the index
    unreachable. When that fails too, the error shown is the index attempt's.
  - With O(release_dir), a build that succeeded is then made root-owned and read-only (C(u=rwX,go=rX),
    links left as they are) and marked as built, O(release_info) written to C(release.json) in it
    last, so a release with that file is whole.
  - Always reports C(changed=true) when it runs; the role runs it only for a release not built yet.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  steps:
    description:
      - The steps, each with a name (C(step)) and an argument list (C(argv)).
      - C(index=false) marks a step that never reaches the package index (the app's build command);
        with O(offline_fallback), its failure is final, not run again from the cache.
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
  release_dir:
    description: The release's directory, made root-owned and read-only and marked as built after the steps.
    type: path
  release_info:
    description:
      - What C(release.json) in O(release_dir) records of the release, as JSON. The module adds
        C(built_from_cache), whether the build ran from the host's cache alone.
    type: dict
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
    release_dir: /srv/hello/releases/r-0123456789ab
    release_info: {app: hello, release: r-0123456789ab}
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

import os
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._build import read_only_mode, release_record, run_build
from ansible_collections.asgi.deploy.plugins.module_utils._files import apply, checked
from ansible_collections.asgi.deploy.plugins.module_utils._redact import redact


def _make_read_only(top):
    """Root's and read-only, every entry below top; a link itself is made root's, never
    what it points to (os.walk lists a link to a directory among the directories and does
    not enter it)."""
    paths = [top]
    for directory, directories, files in os.walk(top):
        paths.extend(os.path.join(directory, name) for name in directories + files)
    for path in paths:
        os.lchown(path, 0, 0)
        found = os.lstat(path)
        if not stat.S_ISLNK(found.st_mode):
            os.chmod(path, read_only_mode(found.st_mode, stat.S_ISDIR(found.st_mode)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            steps=dict(type="list", elements="dict", required=True),
            sandbox=dict(type="list", elements="str", default=[]),
            offline_fallback=dict(type="bool", default=False),
            redact=dict(type="list", elements="str", default=[], no_log=True),
            release_dir=dict(type="path"),
            release_info=dict(type="dict"),
        ),
        required_together=[("release_dir", "release_info")],
        supports_check_mode=False,
    )
    params = module.params
    result = run_build(params["steps"], params["sandbox"],
                       # An argument's $WORD is the step's own (a build command's shell reads it).
                       lambda argv: module.run_command(argv, check_rc=False, expand_user_and_vars=False),
                       offline_fallback=params["offline_fallback"])
    if not result["ok"]:
        module.fail_json(msg="step %s: %s" % (result["failed_step"], redact(result["error"], params["redact"])),
                         steps=result["steps"], failed_step=result["failed_step"])
    if params["release_dir"]:
        _make_read_only(params["release_dir"])
        # Last, and moved into place whole: a release with this file is built.
        apply(checked([{"path": os.path.join(params["release_dir"], "release.json"), "owner": "root", "group": "root",
                        "mode": "0644", "content": release_record(params["release_info"], result["offline"])}]))
    module.exit_json(changed=True, steps=result["steps"], offline=result["offline"])


if __name__ == "__main__":
    main()
