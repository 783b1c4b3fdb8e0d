# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic behind the asgi_apps_normalize filter: checks that span fields or apps,
and the paths and names derived from each app's record. No Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
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
TLS_MODES = ("selfsigned", "provided", "acme", "off")
# Where dehydrated (the ACME client of mode acme) keeps each app's certificate.
ACME_CERT_DIR = "/var/lib/dehydrated/certs"
URL_PATH = re.compile(r"^/[!-~]*$")
RATE = re.compile(r"^[1-9][0-9]*r/[sm]$")
SLOTS = ("a", "b")
# What a POSIX shell and systemd's EnvironmentFile= accept as a variable name.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A unit file directive such as ProtectHome or MemoryDenyWriteExecute.
DIRECTIVE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# Unit names are <prefix><app>@<slot>: no '@', '/' or '.' in the prefix.
UNIT_PREFIX = re.compile(r"^[A-Za-z0-9_-]{0,32}$")


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
    _check_tls(index, app)
    _check_nginx(index, app)


def _tls_mode(tls):
    """The TLS mode; an unquoted YAML `off` arrives as the boolean false and means "off"."""
    mode = tls.get("mode", "selfsigned")
    return "off" if mode is False else mode


def _check_tls(index, app):
    tls = app.get("tls") or {}
    mode = _tls_mode(tls)
    if mode not in TLS_MODES:
        _fail(index, app, "tls.mode", "%r is not one of %s" % (mode, ", ".join(TLS_MODES)))
    if mode == "provided":
        from_controller = tls.get("cert_src") or tls.get("key_src")
        on_host = tls.get("cert_path") or tls.get("key_path")
        if bool(from_controller) == bool(on_host):
            _fail(index, app, "tls", "mode provided takes either cert_src and key_src (files on the "
                  "controller) or cert_path and key_path (files on the host)")
        for key in ("cert_src", "key_src") if from_controller else ("cert_path", "key_path"):
            path = tls.get(key)
            if not path:
                _fail(index, app, "tls.%s" % key, "required with %s" % ("cert_src" if from_controller else "cert_path"))
            if on_host and not _is_clean_path(path):
                _fail(index, app, "tls.%s" % key, "%r is not an absolute path on the host" % (path,))
            # A file missing on the controller stops the play before any host changes.
            if from_controller and posixpath.isabs(path) and not os.path.isfile(path):
                _fail(index, app, "tls.%s" % key, "%s is not a file on the controller" % path)
    if mode != "off" and not app.get("server_names"):
        _fail(index, app, "server_names", "at least one name is needed for a TLS certificate")
    if mode == "acme" and any(name.startswith("*.") for name in app["server_names"]):
        _fail(index, app, "server_names", "wildcard names need a DNS-01 challenge; mode acme uses HTTP-01")


def _check_nginx(index, app):
    nginx = app.get("nginx") or {}
    for path, directory in (nginx.get("static") or {}).items():
        if not isinstance(path, str) or not URL_PATH.match(path) or not path.endswith("/"):
            _fail(index, app, "nginx.static", "%r is not a URL path that starts and ends with '/'" % (path,))
        if not _is_clean_path(directory):
            _fail(index, app, "nginx.static.%s" % path, "%r is not an absolute directory" % (directory,))
    for path in nginx.get("stream_paths") or []:
        if not isinstance(path, str) or not URL_PATH.match(path):
            _fail(index, app, "nginx.stream_paths", "%r is not a URL path starting with '/'" % (path,))
    rate_limit = nginx.get("rate_limit") or {}
    if rate_limit and not RATE.match(str(rate_limit.get("rate"))):
        _fail(index, app, "nginx.rate_limit.rate", "%r is not a rate such as 10r/s or 600r/m"
              % (rate_limit.get("rate"),))


def _is_clean_path(path):
    """An absolute path written the one canonical way: no '..', no '//', no blanks
    (systemd splits path lists on them) and not the root itself."""
    return (isinstance(path, str) and path.startswith("/") and path != "/"
            and posixpath.normpath(path) == path and not re.search(r"\s", path))


def _check_directives(index, app, field, overrides):
    for directive, value in overrides.items():
        if not isinstance(directive, str) or not DIRECTIVE.match(directive):
            _fail(index, app, field, "%r is not a systemd directive name (for example ProtectHome)" % (directive,))
        values = value if isinstance(value, list) else [value]
        for item in values:
            wrong_type = item is not None and not isinstance(item, (bool, int, str))
            if wrong_type or re.search(r"[\x00-\x1f]", str(item)):
                _fail(index, app, "%s.%s" % (field, directive),
                      "%r is not a one-line value (a string, number, boolean, list of them, or null "
                      "to drop the setting)" % (value,))


def _check_runtime(index, app):
    """What the process under systemd gets: its environment, health path, sandbox changes."""
    for field in ("env", "secret_env"):
        for variable in app.get(field) or {}:
            # Only the name is shown: a secret's value never reaches a message.
            if not isinstance(variable, str) or not ENV_NAME.match(variable):
                _fail(index, app, field, "%r is not a valid environment variable name (a letter or "
                      "'_' first, then letters, digits or '_')" % (variable,))
    workers = app.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        _fail(index, app, "workers", "%r is not a worker count of 1 or more" % (workers,))
    health_path = app.get("health_path", "/healthz")
    if not isinstance(health_path, str) or not URL_PATH.match(health_path):
        _fail(index, app, "health_path", "%r is not a URL path starting with '/'" % (health_path,))
    systemd = app.get("systemd") or {}
    for path in systemd.get("read_write_paths") or []:
        if not _is_clean_path(path):
            _fail(index, app, "systemd.read_write_paths", "%r is not an absolute path without '..', "
                  "'//' or blanks" % (path,))
    _check_directives(index, app, "systemd.overrides", systemd.get("overrides") or {})


def _check_unique(apps):
    """App names and server names each belong to one app only. Names that differ only by
    '-' and '_' clash too: nginx's upstream names turn '-' into '_'."""
    owner = {}
    for app in apps:
        claims = [("name", app["name"].replace("-", "_"))]
        claims += [("server_names", server_name) for server_name in app.get("server_names") or []]
        for claim in claims:
            if claim in owner:
                raise AppSpecError("asgi_apps[%s].%s: %r is already used by app %s"
                                   % (app["name"], claim[0], claim[1], owner[claim]))
            owner[claim] = app["name"]


def _check_settings(root, config_dir, socket_dir, unit_prefix):
    for variable, path in (("asgi_root", root), ("asgi_config_dir", config_dir),
                           ("asgi_socket_dir", socket_dir)):
        if not _is_clean_path(path):
            raise AppSpecError("%s: %r is not an absolute path without '..', '//' or blanks" % (variable, path))
    if not isinstance(unit_prefix, str) or not UNIT_PREFIX.match(unit_prefix):
        raise AppSpecError("asgi_unit_prefix: %r may hold only letters, digits, '_' or '-' "
                           "(32 at most)" % (unit_prefix,))


def _record(app, root, config_dir, socket_dir, unit_prefix):
    name = app["name"]
    unit = unit_prefix + name
    home = posixpath.join(root, name)
    app_config = posixpath.join(config_dir, name)
    tls = dict((key, None) for key in ("cert_src", "key_src", "cert_path", "key_path"))
    tls.update(app.get("tls") or {})
    tls["mode"] = _tls_mode(tls)
    if tls["mode"] == "acme":
        cert_path = posixpath.join(ACME_CERT_DIR, name, "fullchain.pem")
        key_path = posixpath.join(ACME_CERT_DIR, name, "privkey.pem")
    else:
        cert_path = tls.get("cert_path") or "/etc/ssl/asgi-deploy/%s.crt" % name
        key_path = tls.get("key_path") or "/etc/ssl/asgi-deploy/private/%s.key" % name
    return {
        "name": name,
        "user": name,
        # The comment of the app's system user: an account without it is not ours.
        "account_comment": "asgi.deploy app %s" % name,
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
        "previous": posixpath.join(home, "previous"),
        "config_dir": app_config,
        "env_file": posixpath.join(app_config, "env"),
        "gunicorn_conf": posixpath.join(app_config, "gunicorn.conf.py"),
        # Two slots run side by side during a release switch: each a systemd instance of
        # the same template units with its own socket; nginx points at the live one.
        "unit": unit,
        "service": unit + "@.service",
        "socket_unit": unit + "@.socket",
        "slots_dir": posixpath.join(home, "slots"),
        "slots": dict((slot, {
            "service": "%s@%s.service" % (unit, slot),
            "socket_unit": "%s@%s.socket" % (unit, slot),
            "socket": posixpath.join(socket_dir, "%s-%s.sock" % (name, slot)),
            "link": posixpath.join(home, "slots", slot),
        }) for slot in SLOTS),
        # nginx connects through this link to the live slot's socket.
        "socket": posixpath.join(home, "live.sock"),
        "upstream_name": "asgi_app_" + name.replace("-", "_"),
        "pre_activate": app.get("pre_activate"),
        "systemd": {
            "read_write_paths": list((app.get("systemd") or {}).get("read_write_paths") or []),
            "overrides": dict((app.get("systemd") or {}).get("overrides") or {}),
        },
        "cert_path": cert_path,
        "key_path": key_path,
        "nginx": dict(app.get("nginx") or {}),
    }


def normalize_apps(apps, root="/srv", config_dir="/etc/asgi-deploy",
                   socket_dir="/run/asgi-deploy", unit_prefix="asgi-"):
    """Check every app, then return their records (without secrets)."""
    _check_settings(root, config_dir, socket_dir, unit_prefix)
    if not isinstance(apps, list) or not apps:
        raise AppSpecError("asgi_apps: expected a non-empty list of apps")
    for index, app in enumerate(apps):
        _check_app(index, app)
        _check_runtime(index, app)
    _check_unique(apps)
    return [_record(app, root, config_dir, socket_dir, unit_prefix) for app in apps]
