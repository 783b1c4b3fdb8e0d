# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a release's venv is built, decided without touching a host: what kind of lock an
app ships, the pins a lock sets, a pylock.toml as hash-checked requirements, and the
commands each installer (uv or pip) runs. Both installers take the same inputs and
install the same things: the server packages from a hash-checked lock, then the app."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import posixpath
import re

INSTALLERS = ("uv", "pip")
# A requirement line's hash option: --hash=sha256:<hex> (or "--hash sha256:...").
_HASH = re.compile(r"\s--hash[=\s]\S+")
_CONTINUATION = re.compile(r"\\\r?\n")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PACKAGE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_VERSION = re.compile(r"^[A-Za-z0-9.+!_-]+$")
# A marker as pylock.toml writes it: comparisons of environment markers with quoted values.
_MARKER = re.compile(r"^[A-Za-z0-9_.'\"<>=!~ ()-]+$")


class BuildSpecError(ValueError):
    """A lock or an installer setting a release cannot be built from."""


_PYTHON_VERSION = re.compile(r"^(?:python)?(3\.[0-9]{1,2})$")
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._+@/-]+$")


def python_interpreter(spec):
    """(interpreter, Debian packages that provide it) for an app's `python`: a version
    such as 3.13 (or python3.13) is the distribution's package of it; python3 is the
    system's own; an absolute path is an interpreter the host already has."""
    if spec == "python3":
        return "/usr/bin/python3", []
    if not isinstance(spec, str):
        raise BuildSpecError("%r is not a Python version (3.13), python3 or an interpreter's path" % (spec,))
    match = _PYTHON_VERSION.match(spec)
    if match:
        command = "python" + match.group(1)
        return "/usr/bin/" + command, [command, command + "-venv"]
    if _SAFE_PATH.match(spec) and ".." not in spec.split("/"):
        return spec, []
    raise BuildSpecError("%r is not a Python version (3.13), python3 or an interpreter's path" % (spec,))


def _logical_lines(text):
    """Requirement lines with continuations joined and comments dropped."""
    for line in _CONTINUATION.sub(" ", text).splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            yield line


def is_pylock(path):
    """PEP 751 names its files pylock.toml or pylock.<name>.toml."""
    name = posixpath.basename(path or "")
    return name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml"))


def has_hashes(text):
    """Whether a requirements file is hash-locked: then every line of it must be (pip and
    uv refuse a mix), and it names the app's whole dependency set."""
    return any(_HASH.search(" " + line) for line in _logical_lines(text))


def lock_pins(text):
    """The pins of a hash-locked requirements file as a constraints file (name==version and
    marker, no hashes): what keeps the app's own install from changing a locked package."""
    pins = []
    for line in _logical_lines(text):
        if line.startswith("-"):
            continue
        pin = _HASH.sub("", " " + line).strip()
        if "==" not in pin.split(";", 1)[0]:
            raise BuildSpecError("%r is not pinned with ==: a lock names exact versions" % pin)
        pins.append(pin)
    if not pins:
        raise BuildSpecError("the lock names no package")
    return "\n".join(pins) + "\n"


def check_requirements(name, text):
    """Fails (BuildSpecError) for an app's requirements that cannot be installed as given:
    a pylock.toml that cannot be pinned by hash, a hash-locked file with a line unpinned."""
    if is_pylock(name):
        pylock_requirements(text)
    elif has_hashes(text):
        lock_pins(text)


def pylock_requirements(text):
    """A pylock.toml (PEP 751) as a requirements file with a hash per file, which pip and
    uv both install exactly. Only packages from an index (a version and the sha256 of its
    wheels or sdist) can be pinned that way; a lock entry from a URL, a directory or a VCS
    is refused with its name."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - the controller runs Python 3.11 or later
        raise BuildSpecError("reading pylock.toml needs Python 3.11 or later on the controller")
    try:
        lock = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildSpecError("pylock.toml is not TOML: %s" % exc)
    if not str(lock.get("lock-version", "")).startswith("1."):
        raise BuildSpecError("pylock.toml: lock-version %r is not 1.x" % lock.get("lock-version"))
    lines = []
    for package in lock.get("packages") or []:
        name = package.get("name")
        if not isinstance(name, str) or not _PACKAGE.match(name):
            raise BuildSpecError("pylock.toml: %r is not a package name" % (name,))
        for source in ("vcs", "directory", "archive"):
            if source in package:
                raise BuildSpecError("pylock.toml: %s comes from a %s, which cannot be pinned by hash; "
                                     "lock it from an index" % (name, source))
        version = package.get("version")
        if not isinstance(version, str) or not _VERSION.match(version):
            raise BuildSpecError("pylock.toml: %s has no version" % name)
        files = list(package.get("wheels") or []) + ([package["sdist"]] if package.get("sdist") else [])
        hashes = sorted(set((entry.get("hashes") or {}).get("sha256") for entry in files) - {None})
        if not hashes or not all(_SHA256.match(digest) for digest in hashes):
            raise BuildSpecError("pylock.toml: %s %s has no sha256 hash of its files" % (name, version))
        marker = package.get("marker")
        if marker is not None and (not isinstance(marker, str) or not _MARKER.match(marker)):
            raise BuildSpecError("pylock.toml: %s has a marker that is not one: %r" % (name, marker))
        line = "%s==%s" % (name, version) + (" ; %s" % marker if marker else "")
        lines.append(" \\\n    ".join([line] + ["--hash=sha256:%s" % digest for digest in hashes]))
    if not lines:
        raise BuildSpecError("pylock.toml names no package")
    return "\n".join(lines) + "\n"


SERVER_LOCK = "server.lock"
SERVER_PINS = "server-pins.txt"
APP_LOCK = "app.lock"
UV_EXPORT = "uv-export.txt"
# The files a build writes beside the app's own in dist/.
BUILD_FILES = (SERVER_LOCK, SERVER_PINS, APP_LOCK)


def build_plan(installer, uv, python, release_dir, server_lock, target, build_user, requirements=None,
               constraints=None, extra_args=(), uv_project=False, shipped=()):
    """How a release's venv is built: {"files": {name: text}, "layout": [asgi.deploy.files
    entries], "steps": [{"step", "argv"}], "locked": bool}. The layout makes the release's
    directory (build_user's while it builds) and its root-owned dist/ with the files in it,
    and the controller's files `shipped` uploaded there under their own names, before the
    steps run, in order.

    server_lock: the text of the hash-locked server packages. requirements: (file name,
    text) of the app's requirements, a hash-locked one, or a pylock.toml; constraints: a
    file name in dist/. target: what installs the app (a wheel, an sdist, a source tree
    or a requirement). uv_project: the source tree is a uv project with a uv.lock, which
    is the app's lock.
    """
    if installer not in INSTALLERS:
        raise BuildSpecError("installer %r is not one of %s" % (installer, ", ".join(INSTALLERS)))
    dist = posixpath.join(release_dir, "dist")
    venv = posixpath.join(release_dir, "venv")
    venv_python = posixpath.join(venv, "bin", "python")
    files = {SERVER_LOCK: server_lock, SERVER_PINS: lock_pins(server_lock)}
    steps = []
    app_lock = None
    plain = None
    if uv_project:
        if requirements:
            raise BuildSpecError("the source is a uv project with its own uv.lock: requirements would "
                                 "install beside it; leave them out")
        # Written by the build user beside the venv (dist/ is root's).
        app_lock = posixpath.join(release_dir, UV_EXPORT)
        steps.append({"step": "export uv.lock", "argv": [
            uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header",
            "--format", "requirements-txt", "--project", target, "--output-file", app_lock]})
    elif requirements:
        name, text = requirements
        if is_pylock(name):
            files[APP_LOCK] = pylock_requirements(text)
            app_lock = posixpath.join(dist, APP_LOCK)
        elif has_hashes(text):
            app_lock = posixpath.join(dist, name)
        else:
            plain = posixpath.join(dist, name)
    if installer == "uv":
        create = [uv, "venv", "--clear", "--python", python, venv]
        install = [uv, "pip", "install", "--python", venv_python]
        check = [uv, "pip", "check", "--python", venv_python]
    else:
        create = [python, "-m", "venv", "--clear", venv]
        install = [posixpath.join(venv, "bin", "pip"), "install", "--no-input", "--disable-pip-version-check"]
        check = [posixpath.join(venv, "bin", "pip"), "check"]
    install = install + list(extra_args)
    held = ["-c", posixpath.join(dist, constraints)] if constraints else []
    steps.append({"step": "venv", "argv": create})
    if app_lock:
        # One hash-checked install of both locks (a conflict between them fails here),
        # then the app alone: the locks hold all it needs, and the check proves it.
        steps.append({"step": "locked packages", "argv": install + [
            "--require-hashes", "-r", posixpath.join(dist, SERVER_LOCK), "-r", app_lock] + held})
        steps.append({"step": "app", "argv": install + ["--no-deps", target]})
    else:
        steps.append({"step": "server packages", "argv": install + [
            "--require-hashes", "-r", posixpath.join(dist, SERVER_LOCK)]})
        steps.append({"step": "app", "argv": install + ["-c", posixpath.join(dist, SERVER_PINS)] + held
                      + (["-r", plain] if plain else []) + [target]})
    steps.append({"step": "check", "argv": check})
    layout = [{"path": release_dir, "state": "directory", "owner": build_user, "group": build_user, "mode": "0755"},
              {"path": dist, "state": "directory", "owner": "root", "group": "root", "mode": "0755"}]
    layout += [{"path": posixpath.join(dist, name), "content": files[name], "owner": "root", "group": "root",
                "mode": "0644"} for name in sorted(files)]
    names = [posixpath.basename(path) for path in shipped]
    clashes = sorted(set(name for name in names if names.count(name) > 1 or name in files))
    if clashes:
        raise BuildSpecError("the artifact, requirements and constraints need names of their own in the release's "
                             "dist/: %s" % ", ".join(clashes))
    layout += [{"path": posixpath.join(dist, name), "upload": path, "owner": "root", "group": "root", "mode": "0644"}
               for name, path in zip(names, shipped)]
    return {"files": files, "layout": layout, "steps": steps, "locked": bool(app_lock)}


def _tail(text, lines=40):
    return "\n".join(text.strip().splitlines()[-lines:])


def run_build(steps, sandbox, run, offline_fallback=False):
    """Run the steps in order through the sandbox's argv prefix; the first failure ends it.
    run(argv) -> (rc, stdout, stderr). With offline_fallback (uv), a build that failed from
    the index is run again from the host's cache alone (UV_OFFLINE): a set of packages seen
    before builds with the index unreachable. A step marked "index": False (the app's build
    command) never reaches the index: its failure is final. Returns {"ok", "offline",
    "failed_step", "error", "steps"}; the error is the index attempt's when both fail, its
    real reason."""
    def attempt(prefix, offline):
        done = []
        for step in steps:
            rc, out, err = run(prefix + step["argv"])
            done.append(step["step"])
            if rc != 0:
                return {"ok": False, "offline": offline, "failed_step": step["step"],
                        "error": _tail(err or out) or "exit status %d" % rc, "steps": done}
        return {"ok": True, "offline": offline, "failed_step": None, "error": None, "steps": done}

    from_index = attempt(list(sandbox), False)
    failed = next((step for step in steps if step["step"] == from_index["failed_step"]), {})
    if from_index["ok"] or not offline_fallback or failed.get("index") is False:
        return from_index
    from_cache = attempt(list(sandbox) + ["--setenv=UV_OFFLINE=1"], True)
    return from_cache if from_cache["ok"] else from_index


def read_only_mode(mode, is_directory):
    """The permissions of a built release's entry: root's, u=rwX,go=rX as chmod reads it.
    Everyone may read it and run what was executable; only root may write; set-id and
    sticky bits are cleared."""
    return 0o755 if is_directory or mode & 0o111 else 0o644


def release_record(info, offline):
    """The text of a built release's release.json: what the release holds, and whether it
    was built from the host's cache alone (the index could not be reached)."""
    record = dict(info, built_from_cache=bool(offline))
    return json.dumps(record, indent=4, sort_keys=True, separators=(",", ": ")) + "\n"
