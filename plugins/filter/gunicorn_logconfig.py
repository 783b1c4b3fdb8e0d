# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter gunicorn_logconfig: an app's logging configuration (module_utils/_observe.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: gunicorn_logconfig
short_description: The logging configuration (logconfig_dict) of an app's gunicorn
version_added: 0.1.0
description:
  - >-
    gunicorn, uvicorn (error and access) and the app's own stdlib logging write one line per
    record to the journal: in C(json), one JSON object with the fields time, level, logger,
    message, app, release, slot and request_id (and exc_info for a traceback); in C(text),
    gunicorn's plain lines with the logger and the request id.
options:
  _input:
    description: The log format, C(json) or C(text).
    type: str
    required: true
  access_log:
    description: Write gunicorn's and uvicorn's access lines.
    type: bool
    default: false
  level:
    description: gunicorn's log level.
    type: str
    default: info
"""

EXAMPLES = r"""
- name: Write the logging configuration
  ansible.builtin.copy:
    content: "logconfig_dict = {{ 'json' | asgi.deploy.gunicorn_logconfig(access_log=true) | asgi.deploy.python_literal }}\n"
    dest: /tmp/example
    mode: "0644"
"""

RETURN = r"""
_value:
  description: A logging.config.dictConfig mapping.
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.asgi.deploy.plugins.module_utils._observe import LogConfigError, logconfig


def gunicorn_logconfig(log_format, access_log=False, level="info"):
    try:
        return logconfig(log_format, access_log=bool(access_log), level=str(level))
    except LogConfigError as exc:
        raise AnsibleFilterError("asgi.deploy.gunicorn_logconfig: %s" % to_native(exc))


class FilterModule(object):
    def filters(self):
        return {"gunicorn_logconfig": gunicorn_logconfig}
