#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: files
short_description: Make several directories and files as given, in one module call
version_added: 0.1.0
description:
  - Each entry is a directory or a file with its content, owner, group and mode. Only what differs on
    the host is changed, in the order given, so a directory comes before the files in it.
  - A file's new content is written to a new file in the same directory and moved over the old one,
    so a reader sees the old content or the new, never part of it.
  - All entries are checked before any of them is changed. An owner or group that does not exist
    fails the task naming it (in check mode it is reported as a change).
  - A file's content is given, or rendered on the controller from a template (by the
    C(ansible.builtin.template) lookup), or read from a file on the controller.
  - The collection's roles write their files with it. One task per file cost two module runs each,
    even when nothing changed.
  - Give it C(no_log) when a content holds a secret.
author:
  - asgi.deploy contributors (!UNKNOWN)
options:
  files:
    description: The directories and files, in the order they are made.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute, normalized path.
        type: path
        required: true
      state:
        description:
          - V(directory), V(file), V(link) or V(absent). A missing directory is created with its missing parents
            (as C(mkdir -p)).
          - A V(link) is a symbolic link to O(files[].target). A link or file in its place is replaced in one
            rename, so a reader finds the old link or the new one, never none.
          - V(absent) removes a file or link (never a directory).
        type: str
        choices: [directory, file, link, absent]
        default: file
      content:
        description:
          - The whole text of a file. A file takes one of O(files[].content), O(files[].copy_from),
            O(files[].template), O(files[].src) and O(files[].upload).
        type: str
      copy_from:
        description:
          - An absolute path of a file on the host whose bytes become the file's content. It is read before
            the first entry changes; a missing one fails the task, except in check mode, where the file is
            reported as changed.
        type: path
      target:
        description: What a V(link) points to, as written (a relative target is relative to the link's directory).
        type: str
      template:
        description:
          - A template of the role (or a path), rendered on the controller by the C(ansible.builtin.template)
            lookup as the file's content, with the task's variables and O(files[].template_vars).
        type: str
      template_vars:
        description: More variables for O(files[].template), for example the app a file is for.
        type: dict
      src:
        description: A file of the role (or a path) on the controller, copied as it is.
        type: str
      upload:
        description:
          - A file on the controller (a path, or a file of the role), of any size and any bytes (a wheel,
            an sdist), copied to the host as it is. It is sent to a temporary directory on the host over the
            connection, read as O(files[].copy_from), and removed after the call.
          - One call ships an app's artifact with the files beside it, where M(ansible.builtin.copy) took a
            module run to look and one to copy, per file.
        type: str
      validate:
        description:
          - A command that checks a file's new content before it goes live, with V(%s) for the path of the
            new content (written beside the file). When it fails, the file keeps its old content, the
            entries after it are not made, and the task fails with the command's output.
          - It runs only when the content changes, and not in check mode.
        type: str
      owner:
        description: The owner's user name; left as it is when not given (a new entry gets the module's user).
        type: str
      group:
        description: The group's name; left as it is when not given.
        type: str
      mode:
        description: >-
          The permissions in octal, quoted, for example V("0644"). Left as it is when not given;
          a new directory gets V("0755"), a new file V("0644").
        type: str
  look_for:
    description:
      - Absolute paths on the host whose existence is returned in RV(found), read before any entry is
        made. What one call reports, so that a role learns which of several files exist without a task
        per file, for example which apps' releases are built.
    type: list
    elements: path
    default: []
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in diff mode) when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
'''

EXAMPLES = r'''
- name: Write the notifier's directory, its program and its configuration
  asgi.deploy.files:
    files:
      - {path: /etc/asgi-deploy/monitoring, state: directory, owner: root, group: root, mode: "0700"}
      - {path: /usr/local/lib/asgi-deploy/asgi-deploy-notify, src: asgi-deploy-notify, mode: "0644"}
      - path: /etc/asgi-deploy/monitoring/notify.json
        template: notify.json.j2
        template_vars: {webhook: "https://hooks.example.com/deploys"}
        owner: root
        group: root
        mode: "0600"

- name: Configure a slot from the staged files, then point current at it
  asgi.deploy.files:
    files:
      - {path: /srv/asgi/hello/slots/b.conf, state: directory, owner: root, group: hello, mode: "0750"}
      - {path: /srv/asgi/hello/slots/b.conf/env, copy_from: /srv/asgi/hello/staged/env, owner: root, group: hello, mode: "0640"}
      - {path: /srv/asgi/hello/current, state: link, target: slots/b}

- name: Write nginx's configuration, checked by nginx before it goes live
  asgi.deploy.files:
    files:
      - path: /etc/nginx/nginx.conf
        template: nginx.conf.j2
        validate: /usr/local/sbin/nginx-config-check %s /etc/nginx/nginx.conf

- name: Create the app's directories, and learn whether its release is built
  asgi.deploy.files:
    files:
      - {path: /srv/asgi/hello/releases, state: directory, owner: root, group: root, mode: "0755"}
    look_for: [/srv/asgi/hello/releases/r-0123456789ab/release.json]
  register: _app_dirs
'''

RETURN = r'''
changed_paths:
  description: The paths that were changed (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: [/etc/asgi-deploy/monitoring/notify.json]
found:
  description: The paths of O(look_for) that exist on the host (a link to nothing does not), in order.
  returned: always
  type: list
  elements: str
  sample: [/srv/asgi/hello/releases/r-0123456789ab/release.json]
files:
  description: >-
    Per entry, its path and what of it changed (V(created), V(content), V(owner), V(group), V(mode),
    for a link V(target), for an absent entry V(removed)).
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/asgi-deploy/monitoring/notify.json, changed: [content]}]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.asgi.deploy.plugins.module_utils._files import FilesError, apply, checked, found


def main():
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type='list', elements='dict', required=True, options=dict(
                path=dict(type='path', required=True),
                state=dict(type='str', choices=['directory', 'file', 'link', 'absent'], default='file'),
                content=dict(type='str'),
                copy_from=dict(type='path'),
                target=dict(type='str'),
                # The action plugin makes template and src into content, upload into copy_from.
                template=dict(type='str'),
                template_vars=dict(type='dict'),
                src=dict(type='str'),
                upload=dict(type='str'),
                owner=dict(type='str'),
                group=dict(type='str'),
                mode=dict(type='str'),
                validate=dict(type='str'),
            )),
            look_for=dict(type='list', elements='path', default=[]),
        ),
        supports_check_mode=True,
    )
    entries = [dict((key, value) for key, value in entry.items() if value is not None) for entry in module.params['files']]
    for entry in entries:
        if 'template' in entry or 'src' in entry:
            module.fail_json(msg='%s: template and src are read by the action plugin, which did not run' % entry['path'])

    def run_validate(command, new):
        code, out, err = module.run_command(command % new)
        if code != 0:
            raise FilesError('%s exited %d: %s' % (command % new, code, (err or out).strip()))

    try:
        existing = found(module.params['look_for'])
        results = apply(checked(entries), check_mode=module.check_mode, run_validate=run_validate)
    except (FilesError, OSError) as error:
        module.fail_json(msg=str(error))
    changed = [result for result in results if result['changed']]
    outcome = dict(
        changed=bool(changed),
        changed_paths=[result['path'] for result in changed],
        found=existing,
        files=[dict(path=result['path'], changed=result['changed']) for result in results],
    )
    if module._diff:
        outcome['diff'] = [dict(before_header=result['path'], after_header=result['path'],
                                before=result['before'], after=result['after'])
                           for result in changed if 'after' in result]
    module.exit_json(**outcome)


if __name__ == '__main__':
    main()
