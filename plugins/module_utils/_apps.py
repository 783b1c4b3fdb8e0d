# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic behind the asgi_apps_normalize filter: checks that span fields or apps,
and the paths and names derived from each app's record. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

# A system user and group is named after the app: keep to what useradd accepts
# everywhere and what is safe in paths and unit names.
APP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
# gunicorn's APP_MODULE: "package.module:attribute", optionally calling a factory.
ASGI_PATH = re.compile(r"^%s:%s(?:\(\))?$" % (DOTTED, DOTTED))
LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
SERVER_NAME = re.compile(r"^(?:\*\.)?%s(?:\.%s)*$" % (LABEL, LABEL))
SOURCE_KEYS = {"wheel": "path", "sdist": "path", "pypi": "spec", "git": "repo"}
TLS_MODES = ("selfsigned", "provided", "off")


class AppSpecError(ValueError):
    """An app record that cannot be deployed; the message names the app and field."""


def _fail(index, app, field, problem):
    who = app.get("name") if isinstance(app, dict) and app.get("name") else "#%d" % index
    raise AppSpecError("asgi_apps[%s].%s: %s" % (who, field, problem))


def _check_app(index, app):
    if not isinstance(app, dict):
        raise AppSpecError("asgi_apps[#%d]: expected a dict, got %s" % (index, type(app).__name__))
    name = app.get("name")
    if not isinstance(name, str) or not APP_NAME.match(name):
        _fail(index, app, "name", "%r is not a safe app name (lowercase letter first, then "
              "lowercase letters, digits, '_' or '-', 32 characters at most)" % (name,))
    module = app.get("module")
    if not isinstance(module, str) or not ASGI_PATH.match(module):
        _fail(index, app, "module", "%r is not of the form 'package.module:attribute'" % (module,))
    for server_name in app.get("server_names") or []:
        if not isinstance(server_name, str) or len(server_name) > 253 or not SERVER_NAME.match(server_name):
            _fail(index, app, "server_names", "%r is not a valid domain name" % (server_name,))
    source = app.get("source") or {}
    kind = source.get("type")
    if kind not in SOURCE_KEYS:
        _fail(index, app, "source.type", "%r is not one of %s" % (kind, ", ".join(sorted(SOURCE_KEYS))))
    if not source.get(SOURCE_KEYS[kind]):
        _fail(index, app, "source.%s" % SOURCE_KEYS[kind], "required when source.type is %s" % kind)
    tls = app.get("tls") or {}
    mode = tls.get("mode", "selfsigned")
    if mode not in TLS_MODES:
        _fail(index, app, "tls.mode", "%r is not one of %s" % (mode, ", ".join(TLS_MODES)))
    if mode == "provided":
        for key in ("cert_src", "key_src"):
            if not tls.get(key):
                _fail(index, app, "tls.%s" % key, "required when tls.mode is provided")
    if mode != "off" and not app.get("server_names"):
        _fail(index, app, "server_names", "at least one name is needed for a TLS certificate")


def _check_unique(apps):
    """App names and server names each belong to one app only."""
    owner = {}
    for app in apps:
        claims = [("name", app["name"])]
        claims += [("server_names", server_name) for server_name in app.get("server_names") or []]
        for claim in claims:
            if claim in owner:
                raise AppSpecError("asgi_apps[%s].%s: %r is already used by app %s"
                                   % (app["name"], claim[0], claim[1], owner[claim]))
            owner[claim] = app["name"]


def _record(app, root, config_dir, socket_dir, unit_prefix):
    name = app["name"]
    home = posixpath.join(root, name)
    app_config = posixpath.join(config_dir, name)
    tls = dict(app.get("tls") or {})
    tls.setdefault("mode", "selfsigned")
    return {
        "name": name,
        "user": name,
        "group": name,
        "module": app["module"],
        "server_names": list(app.get("server_names") or []),
        "source": dict(app["source"]),
        "release": app.get("release"),
        "requirements": app.get("requirements"),
        "constraints": app.get("constraints"),
        "env": dict(app.get("env") or {}),
        "health_path": app.get("health_path", "/healthz"),
        "workers": app.get("workers"),
        "worker_class": app.get("worker_class"),
        "tls": tls,
        "home": home,
        "releases_dir": posixpath.join(home, "releases"),
        "shared_dir": posixpath.join(home, "shared"),
        "current": posixpath.join(home, "current"),
        "config_dir": app_config,
        "env_file": posixpath.join(app_config, "env"),
        "gunicorn_conf": posixpath.join(app_config, "gunicorn.conf.py"),
        "socket": posixpath.join(socket_dir, name + ".sock"),
        "service": "%s%s.service" % (unit_prefix, name),
        "socket_unit": "%s%s.socket" % (unit_prefix, name),
        "cert_path": "/etc/ssl/asgi-deploy/%s.crt" % name,
        "key_path": "/etc/ssl/asgi-deploy/private/%s.key" % name,
    }


def normalize_apps(apps, root="/srv", config_dir="/etc/asgi-deploy",
                   socket_dir="/run/asgi-deploy", unit_prefix="asgi-"):
    """Check every app, then return their records (without secrets)."""
    if not isinstance(apps, list) or not apps:
        raise AppSpecError("asgi_apps: expected a non-empty list of apps")
    for index, app in enumerate(apps):
        _check_app(index, app)
    _check_unique(apps)
    return [_record(app, root, config_dir, socket_dir, unit_prefix) for app in apps]
