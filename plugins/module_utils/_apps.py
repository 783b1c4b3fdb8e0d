# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic behind the asgi_apps_normalize filter: every field's type and pattern beyond
what an argument spec can say, the checks that span fields, apps and roles, and the paths
and names derived from each app's record. No Ansible imports. A message names the app and
the field and never repeats an environment value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import keyword
import os
import posixpath
import re

from ansible_collections.asgi.deploy.plugins.module_utils._build import (
    BUILD_FILES,
    INSTALLERS,
    BuildSpecError,
    check_requirements,
    is_pylock,
    python_interpreter,
)
from ansible_collections.asgi.deploy.plugins.module_utils._escape import (
    CONTROL,
    EscapeError,
    _kind,
    env_value,
    nginx_string,
    python_literal,
    shell_word,
    systemd_value,
)
from ansible_collections.asgi.deploy.plugins.module_utils._observe import LOG_FORMATS
from ansible_collections.asgi.deploy.plugins.module_utils._release import RELEASE_ID
from ansible_collections.asgi.deploy.plugins.module_utils._workers import (
    ASYNC_WORKER_CLASSES,
    SYNC_WORKER_CLASSES,
)

# A system user and group is named after the app: keep to what useradd accepts
# everywhere and what is safe in paths and unit names.
APP_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
# gunicorn's APP_MODULE: "package.module:attribute", optionally calling a factory.
ASGI_PATH = re.compile(r"^%s:%s(?:\(\))?$" % (DOTTED, DOTTED))
LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
SERVER_NAME = re.compile(r"^(?:\*\.)?%s(?:\.%s)*$" % (LABEL, LABEL))
SOURCE_KEYS = {"wheel": "path", "sdist": "path", "pypi": "spec", "git": "repo"}
# How gunicorn calls the app, and the worker classes that call it so.
INTERFACES = {"asgi": ASYNC_WORKER_CLASSES, "wsgi": SYNC_WORKER_CLASSES}
TLS_MODES = ("selfsigned", "provided", "acme", "off")
# Where dehydrated (the ACME client of mode acme) keeps each app's certificate.
ACME_CERT_DIR = "/var/lib/dehydrated/certs"
# nginx location prefixes: no blanks, quotes, '$', ';', braces, '#' or backslashes.
LOCATION = re.compile(r"^/[A-Za-z0-9._~+,=:@/-]*$")
# The health probe's path, with an optional query.
HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~+,=:@%/-]*(?:\?[A-Za-z0-9._~+,=:@%/&-]*)?$")
RATE = re.compile(r"^[1-9][0-9]*r/[sm]$")
# nginx sizes: bytes, or k, m, g.
SIZE = re.compile(r"^[0-9]{1,9}[kKmMgG]?$")
# nginx's time values: a number with an optional unit, such as 1s, 500ms or 5m.
NGINX_TIME = re.compile(r"^[0-9]{1,6}(?:ms|s|m|h|d)?$")
SLOTS = ("a", "b")
NOLOGIN = "/usr/sbin/nologin"
# What a POSIX shell and systemd's EnvironmentFile= accept as a variable name.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A unit file directive such as ProtectHome or MemoryDenyWriteExecute.
DIRECTIVE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# What an app's sandbox overrides may change: sandboxing and resource directives only,
# never who the service runs as, what it runs or its environment (User=, ExecStart=...).
SANDBOX_DIRECTIVES = frozenset("""
    UMask NoNewPrivileges CapabilityBoundingSet AmbientCapabilities ProtectSystem ProtectHome
    ReadOnlyPaths ReadWritePaths InaccessiblePaths ExecPaths NoExecPaths TemporaryFileSystem
    PrivateTmp PrivateDevices DevicePolicy DeviceAllow PrivateMounts PrivateUsers PrivateNetwork
    PrivateIPC ProtectKernelTunables ProtectKernelModules ProtectKernelLogs ProtectControlGroups
    ProtectClock ProtectHostname ProtectProc ProcSubset RestrictAddressFamilies RestrictNamespaces
    RestrictRealtime RestrictSUIDSGID RestrictFileSystems LockPersonality RemoveIPC
    SystemCallArchitectures SystemCallFilter SystemCallErrorNumber SystemCallLog
    MemoryDenyWriteExecute IPAddressAllow IPAddressDeny KeyringMode
    MemoryMax MemoryHigh MemorySwapMax CPUQuota CPUWeight IOWeight TasksMax LimitNOFILE LimitCORE
    LimitMEMLOCK OOMScoreAdjust Nice
""".split())
# Unit names are <prefix><app>@<slot>: a prefix of its own, ending in '-', so no app
# name can make a unit of the system's (getty@.service, systemd-...).
UNIT_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,30}-$")
SYSTEM_UNIT_PREFIXES = ("systemd-", "dbus-", "user-", "getty-", "serial-getty-", "container-getty-")
# Directories the apps' sandbox hides (ProtectHome, PrivateTmp, a read-only /run) or
# that are no place for code and configuration.
HIDDEN_FROM_APPS = ("/home", "/root", "/run", "/tmp", "/var/tmp", "/proc", "/sys", "/dev", "/boot")
# Paths written into unit files, nginx and pip's arguments.
SAFE_PATH = re.compile(r"^[A-Za-z0-9._+@/-]+$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
# A requirement from an index: a name, extras, version clauses. Never an option ('-...').
_VERSION_CLAUSE = r"\s*(?:===|==|~=|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+"
PIP_SPEC = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?(?:\[[A-Za-z0-9._, -]*\])?"
                      r"(?:%s(?:\s*,%s)*)?$" % (_VERSION_CLAUSE, _VERSION_CLAUSE))
INDEX_URL = re.compile(r"^https?://[^\s\"'\\\x00-\x1f\x7f]+$")
# git URLs an operator means; never an option (--upload-pack=...) or a remote helper
# transport (ext::, fd::) that runs a command.
GIT_REPOS = (
    re.compile(r"^(?:https?|ssh|git|file)://[^\s\"'\\\x00-\x1f\x7f]+$"),
    re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9_~/][A-Za-z0-9._~/+-]*$"),
    re.compile(r"^/[A-Za-z0-9._+@/-]+$"),
)
GIT_REF = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/+-]*$")
# A balancer named by its host name, which nginx resolves when it loads its configuration.
PROXY_NAME = re.compile(r"^%s(?:\.%s)*$" % (LABEL, LABEL))
HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
PY_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# gunicorn settings the collection writes itself, or that would change who runs what.
GUNICORN_RESERVED = frozenset("""
    wsgi_app worker_class workers timeout graceful_timeout keepalive max_requests
    max_requests_jitter backlog forwarded_allow_ips secure_scheme_headers worker_tmp_dir
    control_socket_disable errorlog accesslog loglevel bind user group chdir pythonpath
    raw_env daemon pidfile umask threads
""".split())
ACME_URL = re.compile(r"^https://[^\s\"'\\\x00-\x1f\x7f]+$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
# systemd OnCalendar= events: names (daily), or dates and times of digits, '*', ',', '.',
# '/', '~', '-', ':' and blanks.
CALENDAR = re.compile(r"^[A-Za-z0-9*,./~:+ -]{1,64}$")
# A process's or timer's name: a part of its unit names (<prefix><app>.<name>...), so
# lowercase letters, digits, '_' and '-' (not last), never a '.' or '@'.
UNIT_PART = re.compile(r"^[a-z](?:[a-z0-9_-]{0,30}[a-z0-9])?$")
PROCESS_KEYS = ("name", "command", "replicas", "stop_timeout", "overrides")
TIMER_KEYS = ("name", "on_calendar", "command", "randomized_delay", "persistent", "overrides")
MAX_REPLICAS = 64
# Seconds a process has after TERM to finish its job in progress, before it is killed.
STOP_TIMEOUT = 30
# A systemd time span such as 30, 90s, 5min or 1h 30min.
TIMESPAN = re.compile(r"^[0-9]{1,6}(?:us|ms|s|sec|m|min|h|d|w)?(?: [0-9]{1,6}(?:us|ms|s|sec|m|min|h|d|w)?){0,4}$")
# The user part of a URL that carries a password or token: scheme://user:secret@host.
CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")


class AppSpecError(ValueError):
    """An app record that cannot be deployed; the message names the app and field."""


def _fail(index, app, field, problem):
    who = app.get("name") if isinstance(app, dict) and app.get("name") else "#%d" % index
    raise AppSpecError("asgi_apps[%s].%s: %s" % (who, field, problem))


def _escapable(escape, value):
    """The reason value cannot be written by escape, or None."""
    try:
        escape(value)
    except EscapeError as exc:
        return str(exc)
    return None


def _is_clean_path(path):
    """An absolute path written the one canonical way: no '..', no '//', no blanks
    (systemd splits path lists on them), none of the characters nginx, systemd or a shell
    would read specially (only letters, digits and . _ - + @ /), and not the root itself."""
    return (isinstance(path, str) and path.startswith("/") and path != "/"
            and posixpath.normpath(path) == path and bool(SAFE_PATH.match(path)))


def _is_release_dir(path):
    """A directory inside a release, relative to it: clean names, no '..', not the release itself."""
    return (isinstance(path, str) and not path.startswith("/") and posixpath.normpath(path) == path
            and all(FILE_NAME.match(part) and part not in (".", "..") for part in path.split("/")))


def static_dirs(home, static):
    """{URL path: directory} of nginx.static, a directory inside the release (relative)
    made one below the app's `current` link: it follows the release that serves."""
    return dict((path, directory if directory.startswith("/") else posixpath.join(home, "current", directory))
                for path, directory in (static or {}).items())


def _under(path, tops):
    return any(path == top or path.startswith(top + "/") for top in tops)


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
    server_names = app.get("server_names")
    if server_names is None:
        server_names = []
    if not isinstance(server_names, list):
        _fail(index, app, "server_names", "expected a list of names, got %s (write [%r])"
              % (type(server_names).__name__, server_names))
    for server_name in server_names:
        if not isinstance(server_name, str) or len(server_name) > 253 or not SERVER_NAME.match(server_name):
            _fail(index, app, "server_names", "%r is not a valid domain name" % (server_name,))
    if len(set(server_names)) != len(server_names):
        _fail(index, app, "server_names", "a name is listed twice")
    release = app.get("release")
    if release is not None and (not isinstance(release, str) or not RELEASE_ID.match(release)):
        _fail(index, app, "release", "%r is not a release name (a letter or digit first, then letters, "
              "digits, '.', '_' or '-', 64 characters at most)" % (release,))
    _check_source(index, app)
    _check_build(index, app)
    _check_tls(index, app)
    _check_nginx(index, app)


def _check_build(index, app):
    installer = app.get("installer")
    if installer is not None and installer not in INSTALLERS:
        _fail(index, app, "installer", "%r is not one of %s" % (installer, ", ".join(INSTALLERS)))
    if app.get("python") is not None:
        try:
            python_interpreter(app["python"])
        except BuildSpecError as exc:
            _fail(index, app, "python", str(exc))
    for field in ("requirements", "constraints"):
        if posixpath.basename(app.get(field) or "") in BUILD_FILES:
            _fail(index, app, field, "%s is the name of a file the build writes; rename it"
                  % posixpath.basename(app[field]))
    if is_pylock(app.get("constraints")):
        _fail(index, app, "constraints", "a pylock.toml is the app's whole dependency set: name it in "
              "requirements")


def _check_server(index, app, wsgi_worker_class):
    """The interface, worker class and threads agree. wsgi_worker_class: the class of
    WSGI apps that set none (gunicorn_wsgi_worker_class), None when it is not known."""
    interface = app.get("interface", "asgi")
    if interface not in INTERFACES:
        _fail(index, app, "interface", "%r is not one of %s" % (interface, ", ".join(sorted(INTERFACES))))
    worker_class = app.get("worker_class")
    if worker_class is not None and worker_class not in INTERFACES[interface]:
        _fail(index, app, "worker_class", "%r does not call a%s %s app; with interface %s use one of %s"
              % (worker_class, "n" if interface == "asgi" else "", interface.upper(), interface,
                 ", ".join(INTERFACES[interface])))
    threads = app.get("threads")
    if threads is None:
        return
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        _fail(index, app, "threads", "%r is not a thread count of 1 or more" % (threads,))
    resolved = worker_class or (wsgi_worker_class if interface == "wsgi" else None)
    if interface != "wsgi" or (resolved is not None and resolved != "gthread"):
        _fail(index, app, "threads", "threads are gunicorn's gthread worker's; this app runs %s "
              "(set interface wsgi and worker_class gthread)" % (resolved or "an ASGI worker"))


def _check_source(index, app):
    source = app.get("source")
    if not isinstance(source, dict):
        _fail(index, app, "source", "expected a dict with a type")
    kind = source.get("type")
    if kind not in SOURCE_KEYS:
        _fail(index, app, "source.type", "%r is not one of %s" % (kind, ", ".join(sorted(SOURCE_KEYS))))
    if not source.get(SOURCE_KEYS[kind]):
        _fail(index, app, "source.%s" % SOURCE_KEYS[kind], "required when source.type is %s" % kind)
    shipped = [("requirements", app.get("requirements")), ("constraints", app.get("constraints"))]
    if kind in ("wheel", "sdist"):
        path = source["path"]
        suffixes = (".whl",) if kind == "wheel" else (".tar.gz", ".zip")
        if not isinstance(path, str) or not path.endswith(suffixes):
            _fail(index, app, "source.path", "%r is not a %s file (%s)" % (path, kind, " or ".join(suffixes)))
        shipped.insert(0, ("source.path", path))
    seen = {}
    for field, path in shipped:
        if path is None:
            continue
        base = posixpath.basename(path) if isinstance(path, str) else None
        if not base or not FILE_NAME.match(base) or CONTROL.search(path):
            _fail(index, app, field, "%r is not a file name of letters, digits, '.', '_', '+' or '-'" % (path,))
        if base in seen:
            _fail(index, app, field, "has the same file name (%s) as %s: one would overwrite the other "
                  "on the host" % (base, seen[base]))
        seen[base] = field
    if kind == "pypi":
        spec = source["spec"]
        if not isinstance(spec, str) or not PIP_SPEC.match(spec):
            _fail(index, app, "source.spec", "%r is not a requirement such as shop==2.3.0 "
                  "(a name first, then version clauses)" % (redact_url(spec),))
    for field in ("index_url", "extra_index_url"):
        url = source.get(field)
        if url is not None and (not isinstance(url, str) or not INDEX_URL.match(url)):
            _fail(index, app, "source.%s" % field, "%r is not an http(s) URL without blanks or quotes"
                  % (redact_url(url),))
    if kind == "git":
        repo = source["repo"]
        if not isinstance(repo, str) or not any(pattern.match(repo) for pattern in GIT_REPOS):
            _fail(index, app, "source.repo", "%r is not a git URL (https://, ssh://, git://, file://, "
                  "user@host:path or an absolute path; never an option or a transport such as ext::)"
                  % (redact_url(repo),))
        ref = source.get("ref", "HEAD")
        if ref is not None and (not isinstance(ref, str) or not GIT_REF.match(ref) or ".." in ref):
            _fail(index, app, "source.ref", "%r is not a tag, branch or commit name" % (ref,))


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
                _fail(index, app, "tls.%s" % key, "%r is not an absolute path on the host of letters, "
                      "digits, '.', '_', '-', '+' or '@'" % (path,))
            # A file missing on the controller stops the play before any host changes.
            if from_controller and posixpath.isabs(path) and not os.path.isfile(path):
                _fail(index, app, "tls.%s" % key, "%s is not a file on the controller" % path)
    if mode != "off" and not app.get("server_names"):
        _fail(index, app, "server_names", "at least one name is needed for a TLS certificate")
    if mode == "acme" and any(name.startswith("*.") for name in app["server_names"]):
        _fail(index, app, "server_names", "wildcard names need a DNS-01 challenge; mode acme uses HTTP-01")
    if (app.get("nginx") or {}).get("hsts_preload") and mode not in ("provided", "acme"):
        _fail(index, app, "nginx.hsts_preload", "needs a certificate browsers trust (tls.mode provided "
              "or acme), not tls.mode %s: a preloaded name cannot be reached otherwise" % mode)


def _check_headers(field, headers, fail):
    if not isinstance(headers, dict):
        fail(field, "expected a mapping of header names to values")
    for name, value in headers.items():
        if not isinstance(name, str) or not HEADER_NAME.match(name):
            fail(field, "%r is not a header name (letters, digits and '-')" % (name,))
        if value is None or value == "":
            continue
        problem = _escapable(nginx_string, value)
        if problem:
            fail("%s.%s" % (field, name), problem)


def _check_nginx(index, app):
    nginx = app.get("nginx") or {}

    def fail(field, problem):
        _fail(index, app, "nginx." + field, problem)

    locations = {"/": "the app itself"}
    static = nginx.get("static") or {}
    if not isinstance(static, dict):
        fail("static", "expected a mapping of URL paths to directories")
    for path, directory in static.items():
        if not isinstance(path, str) or not LOCATION.match(path) or not path.endswith("/"):
            fail("static", "%r is not a URL path that starts and ends with '/' (letters, digits and "
                 ". _ ~ - + , = : @ /)" % (path,))
        if not _is_clean_path(directory) and not _is_release_dir(directory):
            fail("static.%s" % path, "%r is neither an absolute directory nor one inside the release (such "
                 "as static), of letters, digits, '.', '_', '-', '+' or '@' (no '..', '$', ';', quotes or "
                 "blanks)" % (directory,))
        if path in locations:
            fail("static.%s" % path, "the path is already served by %s" % locations[path])
        locations[path] = "nginx.static"
    stream_paths = nginx.get("stream_paths") or []
    if not isinstance(stream_paths, list):
        fail("stream_paths", "expected a list of URL paths")
    for path in stream_paths:
        if not isinstance(path, str) or not LOCATION.match(path):
            fail("stream_paths", "%r is not a URL path starting with '/' (letters, digits and "
                 ". _ ~ - + , = : @ /)" % (path,))
        if path in locations:
            fail("stream_paths", "%r is already served by %s" % (path, locations[path]))
        locations[path] = "nginx.stream_paths"
    rate_limit = nginx.get("rate_limit") or {}
    if rate_limit and not RATE.match(str(rate_limit.get("rate"))):
        fail("rate_limit.rate", "%r is not a rate such as 10r/s or 600r/m" % (rate_limit.get("rate"),))
    burst = rate_limit.get("burst", 20)
    if rate_limit and (isinstance(burst, bool) or not isinstance(burst, int) or burst < 0):
        fail("rate_limit.burst", "%r is not a count of 0 or more" % (burst,))
    size = nginx.get("client_max_body_size")
    if size is not None and not SIZE.match(str(size)):
        fail("client_max_body_size", "%r is not a size such as 50m, 512k or 1g" % (size,))
    timeout = nginx.get("proxy_read_timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
        fail("proxy_read_timeout", "%r is not a number of seconds of 1 or more" % (timeout,))
    _check_headers("headers", nginx.get("headers") or {}, fail)


def _check_directives(field, overrides, fail):
    if not isinstance(overrides, dict):
        fail(field, "expected a mapping of directives to values")
    for directive, value in overrides.items():
        if not isinstance(directive, str) or not DIRECTIVE.match(directive):
            fail(field, "%r is not a systemd directive name (for example ProtectHome)" % (directive,))
        if directive not in SANDBOX_DIRECTIVES:
            fail(field, "%s is not a sandboxing or resource directive this setting may change (%s)"
                 % (directive, ", ".join(sorted(SANDBOX_DIRECTIVES))))
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None and not isinstance(value, list):
                continue
            problem = _escapable(systemd_value, item)
            if problem:
                fail("%s.%s" % (field, directive), "not a one-line value (a string, number, boolean, "
                     "list of them, or null to drop the setting): %s" % problem)


class UnreadableFile(object):
    """A controller file that could not be read as what it should hold: the problem, in
    words that never repeat the file's content (a secret_env_file is secret)."""

    def __init__(self, problem):
        self.problem = problem


def _check_secret_env_file(index, app, files):
    """What the app's secret_env_file holds, a mapping, from files ({app name: the mapping
    read from the file, an UnreadableFile, or None where no file is on the controller})."""
    path = app.get("secret_env_file")
    if path is None:
        return {}
    if not isinstance(path, str) or not path or CONTROL.search(path):
        _fail(index, app, "secret_env_file", "%r is not a path on the controller" % (path,))
    data = (files or {}).get(app["name"])
    if data is None:
        _fail(index, app, "secret_env_file", "%s is not a file on the controller" % path)
    if isinstance(data, UnreadableFile):
        _fail(index, app, "secret_env_file", "%s %s" % (path, data.problem))
    if not isinstance(data, dict):
        _fail(index, app, "secret_env_file", "%s does not hold a mapping of variable names to values "
              "(NAME: value, one a line)" % path)
    return data


def secret_env(apps, secret_env_files=None):
    """{app name: every secret variable of the app}: its secret_env and what its
    secret_env_file holds (secret_env_files as for normalize_apps, which checked both)."""
    result = {}
    for index, app in enumerate(apps):
        variables = dict(app.get("secret_env") or {})
        variables.update(_check_secret_env_file(index, app, secret_env_files))
        result[app["name"]] = variables
    return result


def _check_runtime(index, app, max_workers, secret_env_file=None):
    """What the process under systemd gets: its environment, health path, sandbox changes.
    secret_env_file: what the app's secret_env_file holds (see _check_secret_env_file)."""

    def fail(field, problem):
        _fail(index, app, field, problem)

    names = {}
    for field, variables in (("env", app.get("env")), ("secret_env", app.get("secret_env")),
                             ("secret_env_file", secret_env_file)):
        variables = variables or {}
        if not isinstance(variables, dict):
            fail(field, "expected a mapping of variable names to values")
        for variable, value in variables.items():
            # Only the name is shown: a value (a secret's above all) never reaches a message.
            if not isinstance(variable, str) or not ENV_NAME.match(variable):
                fail(field, "%r is not a valid environment variable name (a letter or "
                     "'_' first, then letters, digits or '_')" % (variable,))
            if variable in names:
                fail("%s.%s" % (field, variable), "is set in %s too" % names[variable])
            names[variable] = field
            if isinstance(value, (bool, float)) or value is None:
                fail("%s.%s" % (field, variable), "the value is %s, which has no one spelling as text "
                     "(yes/True/true, 1.10/1.1, null/None): quote it in YAML" % _kind(value))
            problem = _escapable(env_value, value)
            if problem:
                fail("%s.%s" % (field, variable), problem)
    workers = app.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        fail("workers", "%r is not a worker count of 1 or more" % (workers,))
    if workers is not None and max_workers is not None and workers > max_workers:
        fail("workers", "%d is above gunicorn_max_workers (%d)" % (workers, max_workers))
    log_format = app.get("log_format")
    if log_format is not None and log_format not in LOG_FORMATS:
        fail("log_format", "%r is not one of %s" % (log_format, ", ".join(LOG_FORMATS)))
    health_path = app.get("health_path", "/healthz")
    if not isinstance(health_path, str) or not HEALTH_PATH.match(health_path):
        fail("health_path", "%r is not a URL path starting with '/'" % (health_path,))
    for hook in ("pre_activate", "pre_rollback", "build_command"):
        command = app.get(hook)
        if command is not None and (not isinstance(command, str) or "\x00" in command or not command.strip()):
            fail(hook, "expected a shell command")
    once = app.get("pre_activate_once", False)
    if not isinstance(once, bool):
        fail("pre_activate_once", "%r is not true or false" % (once,))
    if once and not (app.get("pre_activate") or app.get("pre_rollback")):
        fail("pre_activate_once", "true, but the app has neither pre_activate nor pre_rollback to run once")
    systemd = app.get("systemd") or {}
    for path in systemd.get("read_write_paths") or []:
        if not _is_clean_path(path):
            fail("systemd.read_write_paths", "%r is not an absolute path of letters, digits, '.', '_', "
                 "'-', '+' or '@', without '..' or '//'" % (path,))
    _check_directives("systemd.overrides", systemd.get("overrides") or {}, fail)
    _check_processes(index, app)


def _seconds(value, minimum):
    return not isinstance(value, bool) and isinstance(value, int) and value >= minimum


def _check_entries(index, app, field, keys):
    """The entries of processes or timers: mappings of known keys, each with a name that
    is a safe part of a unit name and a command. Yields (field of the entry, entry)."""
    entries = app.get(field)
    if entries is None:
        return
    if not isinstance(entries, list):
        _fail(index, app, field, "expected a list of mappings with a name and a command")
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            _fail(index, app, "%s[#%d]" % (field, position), "expected a mapping with a name and a command")
        name = entry.get("name")
        where = "%s[%s]" % (field, name if isinstance(name, str) and name else "#%d" % position)
        unknown = sorted(str(key) for key in entry if key not in keys)
        if unknown:
            _fail(index, app, where, "unknown key%s %s (known: %s)"
                  % ("s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(keys)))
        if not isinstance(name, str) or not UNIT_PART.match(name):
            _fail(index, app, where + ".name", "%r is not a safe part of a unit name (a lowercase letter "
                  "first, then lowercase letters, digits, '_' or '-', not '-' last, 32 characters at most)"
                  % (name,))
        command = entry.get("command")
        if not isinstance(command, str) or not command.strip() or "\x00" in command:
            _fail(index, app, where + ".command", "expected a shell command (it is empty)"
                  if isinstance(command, str) or command is None else "expected a shell command")
        _check_directives(where + ".overrides", entry.get("overrides") or {},
                          lambda sub, problem: _fail(index, app, sub, problem))
        yield where, entry


def _check_processes(index, app):
    """processes and timers: their keys, names (unique together, as they name units),
    commands, replicas, stop timeouts, schedules and sandbox overrides. A schedule is
    also read by the host's systemd-analyze before any change (the asgi role)."""
    names = {}
    for field, keys in (("processes", PROCESS_KEYS), ("timers", TIMER_KEYS)):
        for where, entry in _check_entries(index, app, field, keys):
            if entry["name"] in names:
                _fail(index, app, where + ".name", "%s is already the name of %s" % (entry["name"], names[entry["name"]]))
            names[entry["name"]] = where
            if field == "processes":
                replicas = entry.get("replicas", 1)
                if not _seconds(replicas, 1) or replicas > MAX_REPLICAS:
                    _fail(index, app, where + ".replicas", "%r is not a count from 1 to %d" % (replicas, MAX_REPLICAS))
                stop_timeout = entry.get("stop_timeout")
                if stop_timeout is not None and not _seconds(stop_timeout, 1):
                    _fail(index, app, where + ".stop_timeout", "%r is not a number of seconds of 1 or more"
                          % (stop_timeout,))
                continue
            calendar = entry.get("on_calendar")
            if not isinstance(calendar, str) or not CALENDAR.match(calendar) or _escapable(systemd_value, calendar):
                _fail(index, app, where + ".on_calendar", "%r is not a systemd calendar event such as daily or "
                      "*-*-* 04:00:00" % (calendar,))
            delay = entry.get("randomized_delay")
            if delay is not None and not _seconds(delay, 0) and not (isinstance(delay, str) and TIMESPAN.match(delay)):
                _fail(index, app, where + ".randomized_delay", "%r is not a time span such as 30, 90s or 5min"
                      % (delay,))
            persistent = entry.get("persistent")
            if persistent is not None and not isinstance(persistent, bool):
                _fail(index, app, where + ".persistent", "%r is not a boolean" % (persistent,))


def process_units(unit, config_dir, processes, timers):
    """The records of an app's processes and timers: their units per slot and the files a
    slot's configuration holds for them. unit: <prefix><app>."""
    def unit_files(kind, name, slot, dropin_unit):
        return {
            "dropin": "/etc/systemd/system/%s.d/50-asgi-deploy.conf" % dropin_unit,
            "script": posixpath.join(config_dir, "slots", slot, "%s-%s.sh" % (kind, name)),
        }

    process_records = []
    for process in processes or []:
        name = process["name"]
        slots = {}
        for slot in SLOTS:
            template = "%s.%s-%s@.service" % (unit, name, slot)
            slots[slot] = dict(unit_files("process", name, slot, template), template=template, units=[
                "%s.%s-%s@%d.service" % (unit, name, slot, replica)
                for replica in range(1, process.get("replicas", 1) + 1)])
        process_records.append({
            "name": name,
            "command": process["command"],
            "replicas": process.get("replicas", 1),
            "stop_timeout": process.get("stop_timeout") or STOP_TIMEOUT,
            "overrides": dict(process.get("overrides") or {}),
            "staged": {"dropin": "process-%s.conf" % name, "script": "process-%s.sh" % name},
            "slots": slots,
        })
    timer_records = []
    for timer in timers or []:
        name = timer["name"]
        template = "%s.%s@.service" % (unit, name)
        timer_records.append({
            "name": name,
            "command": timer["command"],
            "on_calendar": timer["on_calendar"],
            "randomized_delay": timer.get("randomized_delay"),
            "persistent": bool(timer.get("persistent", False)),
            "overrides": dict(timer.get("overrides") or {}),
            "timer": "%s.%s.timer" % (unit, name),
            "service_template": template,
            "staged": {"dropin": "timer-%s.conf" % name, "script": "timer-%s.sh" % name},
            "slots": dict((slot, dict(unit_files("timer", name, slot, "%s.%s@%s.service" % (unit, name, slot)),
                                      service="%s.%s@%s.service" % (unit, name, slot)))
                          for slot in SLOTS),
        })
    return process_records, timer_records


def slot_files(app_name, processes, timers):
    """{slot: the files of the processes and timers in a slot's configuration}: name where
    it is staged (and kept with a release), where the slot reads it, its group and mode."""
    result = {}
    for slot in SLOTS:
        files = []
        for entry in list(processes) + list(timers):
            files.append({"name": entry["staged"]["script"], "dest": entry["slots"][slot]["script"],
                          "group": app_name, "mode": "0640"})
            files.append({"name": entry["staged"]["dropin"], "dest": entry["slots"][slot]["dropin"],
                          "group": "root", "mode": "0644"})
        result[slot] = files
    return result


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
            raise AppSpecError("%s: %r is not an absolute path of letters, digits, '.', '_', '-', '+' "
                               "or '@', without '..' or '//'" % (variable, path))
    for variable, path in (("asgi_root", root), ("asgi_config_dir", config_dir)):
        if _under(path, HIDDEN_FROM_APPS):
            raise AppSpecError("%s: %s is below %s, which the apps' sandbox hides or replaces"
                               % (variable, path, ", ".join(t for t in HIDDEN_FROM_APPS if _under(path, [t]))))
    if not isinstance(unit_prefix, str) or not UNIT_PREFIX.match(unit_prefix) \
            or unit_prefix.startswith(SYSTEM_UNIT_PREFIXES):
        raise AppSpecError("asgi_unit_prefix: %r is not a prefix of its own: a lowercase letter first, "
                           "then lowercase letters, digits or '-', ending in '-', 32 at most, and none of "
                           "the system's own (%s)" % (unit_prefix, ", ".join(SYSTEM_UNIT_PREFIXES)))


def _check_role_settings(settings):
    """The roles' settings that no argument spec can check."""

    def fail(field, problem):
        raise AppSpecError("%s: %s" % (field, problem))

    installer = settings.get("app_installer")
    if installer is not None and installer not in INSTALLERS:
        fail("app_installer", "%r is not one of %s" % (installer, ", ".join(INSTALLERS)))
    if settings.get("app_python") is not None:
        try:
            python_interpreter(settings["app_python"])
        except BuildSpecError as exc:
            fail("app_python", str(exc))
    low, high = settings.get("gunicorn_min_workers"), settings.get("gunicorn_max_workers")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        fail("gunicorn_min_workers", "gunicorn_min_workers (%d) is above gunicorn_max_workers (%d)" % (low, high))
    threads = settings.get("gunicorn_threads")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        fail("gunicorn_threads", "%r is not a thread count of 1 or more" % (threads,))
    _check_directives("gunicorn_systemd_overrides", settings.get("gunicorn_systemd_overrides") or {}, fail)
    extra = settings.get("gunicorn_extra_settings") or {}
    if not isinstance(extra, dict):
        fail("gunicorn_extra_settings", "expected a mapping of gunicorn setting names to values")
    for name, value in extra.items():
        if not isinstance(name, str) or not PY_NAME.match(name) or keyword.iskeyword(name):
            fail("gunicorn_extra_settings", "%r is not a gunicorn setting name" % (name,))
        if name in GUNICORN_RESERVED:
            fail("gunicorn_extra_settings.%s" % name, "is set by the collection (or its own variable); "
                 "it cannot be replaced here")
        problem = _escapable(python_literal, value)
        if problem:
            fail("gunicorn_extra_settings.%s" % name, problem)
    allow = settings.get("gunicorn_forwarded_allow_ips")
    if allow is not None and allow != "*":
        for address in str(allow).split(","):
            if _network(address.strip()) is None:
                fail("gunicorn_forwarded_allow_ips", "%r is not '*' or a comma-separated list of IP "
                     "addresses and networks" % (allow,))
    proxies = settings.get("nginx_trusted_proxies")
    if proxies is not None:
        if not isinstance(proxies, list):
            fail("nginx_trusted_proxies", "expected a list of IP addresses or networks")
        for proxy in proxies:
            network = _network(proxy)
            if network is None and isinstance(proxy, str) and PROXY_NAME.match(proxy):
                continue
            if network is None:
                fail("nginx_trusted_proxies", "%r is not an IP address, network or host name" % (proxy,))
            if network.prefixlen == 0:
                fail("nginx_trusted_proxies", "%r trusts every address: any client could then forge "
                     "its address" % (proxy,))
    size = settings.get("nginx_client_max_body_size")
    if size is not None and not SIZE.match(str(size)):
        fail("nginx_client_max_body_size", "%r is not a size such as 50m, 512k or 1g" % (size,))
    buffer = settings.get("nginx_access_log_buffer")
    if buffer not in (None, "") and not SIZE.match(str(buffer)):
        fail("nginx_access_log_buffer", "%r is not a size such as 64k or 1m, or '' for no buffer" % (buffer,))
    flush = settings.get("nginx_access_log_flush")
    if flush is not None and not NGINX_TIME.match(str(flush)):
        fail("nginx_access_log_flush", "%r is not a time such as 1s, 500ms or 5m" % (flush,))
    _check_headers("nginx_security_headers", settings.get("nginx_security_headers") or {}, fail)
    directory = settings.get("nginx_acme_directory")
    if directory is not None and (not isinstance(directory, str) or not ACME_URL.match(directory)):
        fail("nginx_acme_directory", "%r is not an https:// URL without blanks or quotes" % (redact_url(directory),))
    email = settings.get("nginx_acme_email")
    if email not in (None, "") and (not isinstance(email, str) or not EMAIL.match(email)):
        fail("nginx_acme_email", "%r is not an email address" % (email,))
    bundle = settings.get("nginx_acme_ca_bundle")
    if bundle not in (None, "") and not _is_clean_path(bundle):
        fail("nginx_acme_ca_bundle", "%r is not an absolute path of letters, digits, '.', '_', '-', '+' or '@'"
             % (bundle,))
    schedule = settings.get("nginx_acme_renew_schedule")
    if schedule is not None:
        problem = _escapable(systemd_value, schedule)
        if problem or not CALENDAR.match(str(schedule)):
            fail("nginx_acme_renew_schedule", "%r is not a systemd calendar event such as daily or "
                 "*-*-* 04:00:00" % (schedule,))
    for name in ("nginx_acme_directory", "nginx_acme_email"):
        problem = _escapable(shell_word, settings.get(name) or "")
        if problem:
            fail(name, problem)


def _network(text):
    if not isinstance(text, str) or not text:
        return None
    try:
        return ipaddress.ip_network(u"%s" % text, strict=False)
    except ValueError:
        return None


def redact_url(value):
    """The URL with the password (or token) of its user part replaced by ***, for
    every place a URL is shown or stored."""
    if not isinstance(value, str):
        return value
    return CREDENTIALS.sub(r"\1***@", value)


def health_host(server_names):
    """The Host the health probe sends: the first exact name; a wildcard's stand-in."""
    for name in server_names:
        if not name.startswith("*."):
            return name
    return ("health" + server_names[0][1:]) if server_names else "localhost"


def _record(app, root, config_dir, socket_dir, unit_prefix, log_format, settings):
    name = app["name"]
    unit = unit_prefix + name
    home = posixpath.join(root, name)
    app_config = posixpath.join(config_dir, name)
    processes, timers = process_units(unit, app_config, app.get("processes"), app.get("timers"))
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
        # The app's system account, as asgi.deploy.accounts makes it: no login, no home made.
        "account": {"name": name, "group": name, "home": home, "shell": NOLOGIN,
                    "comment": "asgi.deploy app %s" % name},
        "module": app["module"],
        "server_names": list(app.get("server_names") or []),
        "health_host": health_host(list(app.get("server_names") or [])),
        # Credentials in URLs redacted: the records are shown (a loop's items at -v) and
        # stored (release.json). The app role reads the URLs that carry them from asgi_apps.
        "source": dict((key, redact_url(value)) for key, value in app["source"].items()),
        "release": app.get("release"),
        "requirements": app.get("requirements"),
        "constraints": app.get("constraints"),
        # What builds its venvs, and with which interpreter (its Debian packages installed first).
        "installer": app.get("installer") or settings.get("app_installer") or "uv",
        "python": dict(zip(("interpreter", "packages"),
                           python_interpreter(app.get("python") or settings.get("app_python") or "python3"))),
        "env": dict(app.get("env") or {}),
        # The names only: the values stay in asgi_apps, marked no_log.
        "secret_env_names": sorted(app.get("secret_env") or {}),
        "health_path": app.get("health_path", "/healthz"),
        # How gunicorn, uvicorn and the app write their journal lines: json or text.
        "log_format": app.get("log_format") or log_format,
        "workers": app.get("workers"),
        # How gunicorn calls the app (asgi or wsgi); worker_class and threads None where the
        # gunicorn role's defaults for the interface apply.
        "interface": app.get("interface", "asgi"),
        "worker_class": app.get("worker_class"),
        "threads": app.get("threads"),
        "tls": tls,
        "home": home,
        "releases_dir": posixpath.join(home, "releases"),
        "shared_dir": posixpath.join(home, "shared"),
        # The service's working directory: root-owned and empty, as gunicorn puts it first
        # on sys.path (the app-writable shared/ would let the app user plant code there).
        "workdir": posixpath.join(home, "workdir"),
        # The link to the live slot, slots/<slot>, as of the last recorded switch.
        "current": posixpath.join(home, "current"),
        # The link to the release that served before the last switch, releases/<id>: the
        # one a rollback goes back to.
        "previous": posixpath.join(home, "previous"),
        "config_dir": app_config,
        # The configuration the roles write for the next switch: no slot runs from it.
        "staged_dir": posixpath.join(app_config, "staged"),
        # The configuration each release last served with, for a rollback to it.
        "release_configs_dir": posixpath.join(app_config, "releases"),
        # Two slots run side by side during a release switch: each an instance of the same
        # template units, with its own socket and its own configuration.
        "unit_stem": unit,
        "service_template": unit + "@.service",
        "socket_template": unit + "@.socket",
        "slots_dir": posixpath.join(home, "slots"),
        "slots": dict((slot, {
            "service": "%s@%s.service" % (unit, slot),
            "socket_unit": "%s@%s.socket" % (unit, slot),
            "socket": posixpath.join(socket_dir, "%s-%s.sock" % (name, slot)),
            "link": posixpath.join(home, "slots", slot),
            "config_dir": posixpath.join(app_config, "slots", slot),
            "env_file": posixpath.join(app_config, "slots", slot, "env"),
            "gunicorn_conf": posixpath.join(app_config, "slots", slot, "gunicorn.conf.py"),
            "service_dropin": "/etc/systemd/system/%s@%s.service.d/50-asgi-deploy.conf" % (unit, slot),
            "socket_dropin": "/etc/systemd/system/%s@%s.socket.d/50-asgi-deploy.conf" % (unit, slot),
        }) for slot in SLOTS),
        # While this file exists nginx answers 503 with the page (asgi.deploy.maintenance);
        # below the top configuration directory, which nginx's user may search.
        "maintenance_flag": posixpath.join(config_dir, "maintenance", name + ".on"),
        "maintenance_page": posixpath.join(config_dir, "maintenance", name + ".html"),
        # nginx connects through this link, which names the live slot's socket.
        "live_socket_link": posixpath.join(home, "live.sock"),
        # One run at a time builds and switches the app (asgi.deploy.deploy_lock).
        "lock_file": posixpath.join(socket_dir, "locks", name + ".lock"),
        "upstream_name": "asgi_app_" + name.replace("-", "_"),
        "pre_activate": app.get("pre_activate"),
        # Run in the new release at build time (collectstatic), by the build user in its sandbox.
        "build_command": app.get("build_command"),
        "pre_rollback": app.get("pre_rollback"),
        # Set: both hooks run on one host per play, before any host switches (a fleet's migrations).
        "pre_activate_once": bool(app.get("pre_activate_once", False)),
        "systemd": {
            "read_write_paths": list((app.get("systemd") or {}).get("read_write_paths") or []),
            "overrides": dict((app.get("systemd") or {}).get("overrides") or {}),
        },
        # Queue workers and scheduled jobs, from the slot's release (module_utils/_processes.py).
        "processes": processes,
        "timers": timers,
        "slot_files": slot_files(name, processes, timers),
        # The drop-in directories of the processes' and timers' units, per slot.
        "slot_dirs": dict((slot, [{"path": posixpath.dirname(entry["slots"][slot]["dropin"]), "group": "root",
                                   "mode": "0755"} for entry in processes + timers]) for slot in SLOTS),
        # What the fingerprint of a slot's configuration covers: the staged files and the
        # unit templates the slot's units are instances of.
        "staged_files": ["env", "gunicorn.conf.py", "service.conf", "socket.conf"]
        + [entry["staged"][kind] for entry in processes + timers for kind in ("script", "dropin")],
        "unit_templates": [unit + "@.service", unit + "@.socket"]
        + [process["slots"][slot]["template"] for process in processes for slot in SLOTS]
        + [timer["service_template"] for timer in timers],
        "cert_path": cert_path,
        "key_path": key_path,
        "nginx": dict(app.get("nginx") or {}),
        "static": static_dirs(home, (app.get("nginx") or {}).get("static")),
    }


def nginx_claims(lines):
    """{server name: file} from `grep -H` lines of nginx files: "FILE:  server_name a b;"."""
    claims = {}
    for line in lines or []:
        path, directive = line.partition(":")[::2]
        words = directive.strip().rstrip(";").split()
        if not words or words[0] != "server_name":
            continue
        for name in words[1:]:
            claims.setdefault(name.strip("\"'").lower(), path)
    return claims


def _check_nginx_claims(apps, lines):
    """A name another nginx file serves would win over the app's own server (or lose to
    it at random): renaming an app leaves its old file claiming the names, for one."""
    claims = nginx_claims(lines)
    for app in apps:
        own = ("/etc/nginx/conf.d/asgi-app-%s.conf" % app["name"], "/etc/nginx/conf.d/asgi-deploy-default.conf")
        for name in app.get("server_names") or []:
            path = claims.get(name)
            if path and path not in own:
                raise AppSpecError("asgi_apps[%s].server_names: %s is already served by %s, another "
                                   "nginx server than this app's; remove it from there first"
                                   % (app["name"], name, path))


def normalize_apps(apps, root="/srv", config_dir="/etc/asgi-deploy",
                   socket_dir="/run/asgi-deploy", unit_prefix="asgi-", settings=None,
                   nginx_server_names=None, secret_env_files=None, log_format="json",
                   requirements_texts=None):
    """Check every app and the roles' settings, then return the apps' records (without
    secrets). nginx_server_names: `grep -H server_name` lines of the host's nginx files.
    secret_env_files: {app name: what its secret_env_file holds} (see _check_secret_env_file).
    requirements_texts: {app name: the text of its requirements file}, checked as a lock."""
    settings = settings or {}
    _check_settings(root, config_dir, socket_dir, unit_prefix)
    _check_role_settings(settings)
    if not isinstance(apps, list) or not apps:
        raise AppSpecError("asgi_apps: expected a non-empty list of apps")
    max_workers = settings.get("gunicorn_max_workers")
    wsgi_worker_class = settings.get("gunicorn_wsgi_worker_class")
    build_user = settings.get("app_build_user")
    if build_user is not None and (not isinstance(build_user, str) or not APP_NAME.match(build_user)):
        raise AppSpecError("app_build_user: %r is not a safe user name (lowercase letter first, then "
                           "lowercase letters, digits, '_' or '-', 32 characters at most)" % (build_user,))
    file_secrets = []
    for index, app in enumerate(apps):
        _check_app(index, app)
        file_secrets.append(_check_secret_env_file(index, app, secret_env_files))
        _check_runtime(index, app, max_workers if isinstance(max_workers, int) else None, file_secrets[-1])
        _check_server(index, app, wsgi_worker_class)
        if app["name"] == build_user:
            _fail(index, app, "name", "%s is the build user (app_build_user); name the app otherwise" % build_user)
    for index, app in enumerate(apps):
        text = (requirements_texts or {}).get(app["name"])
        if text is not None:
            try:
                check_requirements(app.get("requirements"), text)
            except BuildSpecError as exc:
                _fail(index, app, "requirements", str(exc))
    _check_unique(apps)
    _check_nginx_claims(apps, nginx_server_names)
    if log_format not in LOG_FORMATS:
        raise AppSpecError("asgi_log_format: %r is not one of %s" % (log_format, ", ".join(LOG_FORMATS)))
    records = [_record(app, root, config_dir, socket_dir, unit_prefix, log_format, settings) for app in apps]
    for record, from_file in zip(records, file_secrets):
        record["secret_env_names"] = sorted(set(record["secret_env_names"]) | set(from_file))
    return records
