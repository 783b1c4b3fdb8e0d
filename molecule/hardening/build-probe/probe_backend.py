"""A PEP 517 backend that builds a wheel holding build.json: the user the build ran as,
its capabilities, and whether it could write to directories outside the release."""

import base64
import errno
import hashlib
import json
import os
import pwd
import zipfile

NAME = "asgi_deploy_build_probe"
VERSION = "1.0.0"
TAG = "py3-none-any"
# Places a build must not change: the system, the app's configuration and state, root's home.
TARGETS = ["/etc", "/etc/asgi-deploy", "/etc/asgi-deploy/hello", "/srv/hello", "/srv/hello/shared",
           "/srv/hello/releases", "/usr/local/lib", "/root"]


def _write_result(directory):
    """'written', or the error code that stopped a new file in directory."""
    path = os.path.join(directory, ".build-probe-%d" % os.getpid())
    try:
        with open(path, "x"):
            pass
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    os.unlink(path)
    return "written"


def _read_result(path):
    try:
        with open(path, "rb"):
            return "read"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, str(exc.errno))


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return line.split(":", 1)[1].strip()
    return None


def record():
    uid = os.getuid()
    return {
        "uid": uid,
        "euid": os.geteuid(),
        "user": pwd.getpwuid(uid).pw_name,
        "CapEff": _status("CapEff"),
        "NoNewPrivs": _status("NoNewPrivs"),
        "writes": dict((target, _write_result(target)) for target in TARGETS),
        "reads": dict((path, _read_result(path)) for path in ["/etc/asgi-deploy/hello/staged/env",
                                                              "/etc/ssl/asgi-deploy/private/hello.key"]),
    }


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist_info = "%s-%s.dist-info" % (NAME, VERSION)
    files = {
        NAME + "/__init__.py": b"",
        NAME + "/build.json": json.dumps(record(), indent=2, sort_keys=True).encode(),
        dist_info + "/METADATA": ("Metadata-Version: 2.1\nName: asgi-deploy-build-probe\nVersion: %s\n" % VERSION).encode(),
        dist_info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: probe_backend\nRoot-Is-Purelib: true\nTag: %s\n" % TAG).encode(),
    }
    rows = ["%s,%s,%d" % (name, _digest(data), len(data)) for name, data in sorted(files.items())]
    files[dist_info + "/RECORD"] = ("\n".join(rows + [dist_info + "/RECORD,,"]) + "\n").encode()
    wheel = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w") as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return wheel
