# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter asgi_apps_normalize: one record per app with every derived path and name."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: asgi_apps_normalize
short_description: Derive each app's paths, unit names and settings from C(asgi_apps)
version_added: 0.1.0
description:
  - Takes the operator's C(asgi_apps) list (already checked against the C(asgi) role's
    argument spec) and returns one record per app with the paths, unit names and socket
    that every role of the collection shares, so each is written in one place.
  - Checks what an argument spec cannot express across apps and fields, and fails
    naming the app and the field.
  - Secrets (C(secret_env) and what C(secret_env_file) holds) are never copied into the
    result; their names are, as C(secret_env_names).
options:
  _input:
    description: The C(asgi_apps) list.
    type: list
    elements: dict
    required: true
  root:
    description: Directory that holds one directory per app.
    type: path
    default: /srv
  config_dir:
    description: Directory that holds one configuration directory per app.
    type: path
    default: /etc/asgi-deploy
  socket_dir:
    description: Directory of the apps' UNIX sockets.
    type: path
    default: /run/asgi-deploy
  unit_prefix:
    description: Prefix of each app's systemd unit names.
    type: str
    default: asgi-
  settings:
    description:
      - The roles' settings checked with the apps, by variable name, for example
        C(gunicorn_max_workers) (an app's C(workers) may not exceed it),
        C(gunicorn_systemd_overrides), C(gunicorn_extra_settings),
        C(nginx_trusted_proxies). Settings left out are not checked.
    type: dict
    default: {}
  log_format:
    description: The log format of the apps that set none (C(asgi_log_format)), C(json) or C(text).
    type: str
    default: json
    choices: [json, text]
  nginx_server_names:
    description:
      - The C(server_name) lines of the host's nginx files as C(grep -H) prints them
        (C(FILE:server_name NAME ...;)); a name of an app that a file other than the app's
        own serves fails.
    type: list
    elements: str
    default: []
  secret_env_files:
    description:
      - The text of each app's C(secret_env_file) by app name, as read on the controller
        (C(null) when the file is missing). Checked like C(secret_env); an error names the
        app, the field and the variable, never a value.
    type: dict
    default: {}
  requirements_texts:
    description:
      - The text of each app's C(requirements) file by app name, as read on the controller. A
        C(pylock.toml) that cannot be pinned by hash, or a hash-locked file with a line that is not
        pinned, fails naming the app and the field.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Derive the apps' records
  ansible.builtin.set_fact:
    asgi_app_records: "{{ asgi_apps | asgi.deploy.asgi_apps_normalize(root='/srv') }}"
"""

RETURN = r"""
_value:
  description: One record per app, in the order given.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._apps import (
    AppSpecError,
    normalize_apps,
)
from ansible_collections.asgi.deploy.plugins.plugin_utils._secret_env_file import load_secret_env_files


def asgi_apps_normalize(apps, root="/srv", config_dir="/etc/asgi-deploy",
                        socket_dir="/run/asgi-deploy", unit_prefix="asgi-", settings=None,
                        nginx_server_names=None, secret_env_files=None, log_format="json",
                        requirements_texts=None):
    try:
        return normalize_apps(apps, root=root, config_dir=config_dir, socket_dir=socket_dir,
                              unit_prefix=unit_prefix, settings=settings,
                              nginx_server_names=nginx_server_names,
                              secret_env_files=load_secret_env_files(secret_env_files), log_format=log_format,
                              requirements_texts=requirements_texts)
    except AppSpecError as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"asgi_apps_normalize": asgi_apps_normalize}
