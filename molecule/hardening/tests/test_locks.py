"""Locked builds on the host: a hash-locked requirements file and a pylock.toml install
exactly what they name (and the server lock's packages), a hash that does not match fails
the build with the reason while the live release keeps serving, and a set of packages
built before builds again from the host's cache with the package index unreachable.

The locks are made here on the controller with uv, from the example app's dependencies
and the server lock the collection ships, so they hold what is on the index today."""

import json
import os
import re
import subprocess

import pytest
from packaging.markers import Marker

from asgi_host import uv
from asgi_probe import https_json, playbook_recap

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SERVER_LOCK = os.path.join(ROOT, "roles", "app", "files", "server.lock")
SERVER_IN = os.path.join(ROOT, "roles", "app", "files", "server.in")
APP_PROJECT = os.path.join(ROOT, "examples", "hello-asgi", "pyproject.toml")
SERVER_NAME = "hello.example.test"


def pins(text, markers):
    """{name: version} of a requirements file's name==version lines whose marker holds for
    the host's Python (`markers`, on Linux like the controller)."""
    found = {}
    for name, version, marker in re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)(?: ; ([^\\\n]+))?", text, re.M):
        if not marker or Marker(marker.strip()).evaluate(markers):
            found[name.lower().replace("_", "-")] = version
    return found


@pytest.fixture(scope="module")
def markers(host):
    """The marker variables of the host's Python, Debian 12's 3.11.2. The controller's 3.11
    may be a later patch release, and a marker such as python_full_version < "3.11.3" (the
    async-timeout that redis needs there) holds on the host only."""
    version = host.check_output("python3 -c 'import platform; print(platform.python_version())'")
    return {"python_full_version": version, "python_version": ".".join(version.split(".")[:2])}


@pytest.fixture(scope="module")
def locks(tmp_path_factory):
    """A hash-locked requirements file and a pylock.toml of the app with the server."""
    directory = tmp_path_factory.mktemp("locks")
    # --system-certs: the index's certificate is checked against the machine's CA store, as
    # the role's builds check it on the hosts (a proxy's CA the machine trusts counts).
    compile_ = ["uv", "pip", "compile", "--quiet", "--system-certs", "--universal", "--python-version", "3.11",
                "--no-header", "-c", SERVER_LOCK, APP_PROJECT, SERVER_IN]
    subprocess.run(compile_ + ["--generate-hashes", "-o", str(directory / "requirements.lock")], check=True)
    subprocess.run(compile_ + ["--format", "pylock.toml", "-o", str(directory / "pylock.toml")], check=True)
    return directory


def deploy(tmp_path, requirements, **fields):
    app = dict({"name": "hello", "module": "hello_asgi.main:app", "server_names": [SERVER_NAME],
                "source": {"type": "wheel", "path": os.environ["ASGI_EXAMPLE_WHEEL"]},
                "requirements": str(requirements), "env": {"HELLO_NAME": "hello"}}, **fields)
    extra = tmp_path / "apps.json"
    extra.write_text(json.dumps({"asgi_apps": [app]}))
    return playbook_recap("asgi.deploy.deploy", "-e", "@%s" % extra)


def live_release(host):
    return json.loads(host.file(host.check_output("readlink -f /srv/hello/current") + "/release.json").content_string)


def installed(host, release):
    """{name: version} of what the release's venv holds."""
    venv = "/srv/hello/releases/%s/venv" % release["release"]
    listed = host.check_output("%s pip list --format json --python %s/bin/python" % (uv(host), venv))
    return dict((package["name"].lower().replace("_", "-"), package["version"]) for package in json.loads(listed))


@pytest.fixture
def index_unreachable(host):
    """The package index's hosts resolve to the host itself, where nothing answers HTTPS."""
    hosts = host.file("/etc/hosts").content_string
    host.check_output("printf '127.0.0.1 pypi.org files.pythonhosted.org\\n' >> /etc/hosts")
    yield
    host.check_output("cat > /etc/hosts <<'EOF_HOSTS'\n%sEOF_HOSTS" % hosts)


@pytest.mark.parametrize("lock", ["requirements.lock", "pylock.toml"])
def test_a_lock_installs_exactly_what_it_names(host, tmp_path, locks, markers, ca_pem, https_port, lock):
    code, output = deploy(tmp_path, locks / lock)
    assert code == 0, output[-3000:]
    release = live_release(host)
    assert release["locked"] is True
    wanted = pins((locks / "requirements.lock").read_text(), markers)
    # The app itself is the one package the lock does not name.
    assert installed(host, release) == dict(wanted, **{"hello-asgi": "1.0.0"})
    assert https_json(SERVER_NAME, https_port, ca_pem, "/")["version"] == "1.0.0"


def test_a_hash_that_does_not_match_fails_the_build_and_the_live_release_serves(
        host, tmp_path, locks, ca_pem, https_port):
    before = live_release(host)["release"]
    text = (locks / "requirements.lock").read_text()
    # Every hash of fastapi's files replaced by another: no file the index has matches.
    block = re.compile(r"^fastapi==.*?(?=^\S)", re.M | re.S).search(text)
    tampered = tmp_path / "tampered.lock"
    tampered.write_text(text[:block.start()] + re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, block.group())
                        + text[block.end():])
    code, output = deploy(tmp_path, tampered)
    assert code != 0
    assert "did not build; the live release is untouched" in output
    assert re.search(r"[Hh]ash", output), output[-3000:]
    assert live_release(host)["release"] == before
    assert https_json(SERVER_NAME, https_port, ca_pem, "/")["version"] == "1.0.0"


def test_packages_built_before_build_again_with_the_index_unreachable(
        host, tmp_path, locks, markers, ca_pem, https_port, index_unreachable):
    # A new release (named here) of packages the host's cache holds.
    code, output = deploy(tmp_path, locks / "requirements.lock", release="offline-rebuild")
    assert code == 0, output[-3000:]
    release = live_release(host)
    assert (release["release"], release["built_from_cache"]) == ("offline-rebuild", True)
    assert installed(host, release) == dict(pins((locks / "requirements.lock").read_text(), markers), **{"hello-asgi": "1.0.0"})
    assert https_json(SERVER_NAME, https_port, ca_pem, "/")["version"] == "1.0.0"


@pytest.fixture(scope="module")
def uv_project(host):
    """The example app as a git repository on the host, a uv project with its uv.lock,
    whose resolution holds the server lock's pins (so the two locks agree)."""
    repo = "/opt/hello-uv-project"
    host.check_output("rm -rf %s && mkdir -p %s" % (repo, repo))
    for path in ("pyproject.toml", "src/hello_asgi/__init__.py", "src/hello_asgi/main.py"):
        source = os.path.join(ROOT, "examples", "hello-asgi", path)
        with open(source) as handle:
            text = handle.read()
        if path == "pyproject.toml":
            with open(SERVER_LOCK) as handle:
                constraints = ", ".join(json.dumps(pin.split(" ;")[0]) for pin in re.findall(
                    r"^[A-Za-z0-9._-]+==[^\s\\]+", handle.read(), re.M))
            # The server lock is made for Python 3.11 and later (scripts/lock-server).
            text = re.sub(r'requires-python = ".*"', 'requires-python = ">=3.11"', text)
            text += "\n[tool.uv]\nconstraint-dependencies = [%s]\n" % constraints
        host.check_output("mkdir -p %s && cat > %s/%s <<'EOF_FILE'\n%s\nEOF_FILE" % (
            os.path.dirname(os.path.join(repo, path)), repo, path, text))
    host.check_output("cd %s && UV_SYSTEM_CERTS=1 %s lock --quiet" % (repo, uv(host)))
    host.check_output("command -v git || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git")
    host.check_output("cd %s && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm v1" % repo)
    return repo


def test_a_uv_projects_lock_is_installed_exactly(host, tmp_path, uv_project, markers, ca_pem, https_port):
    app = {"name": "hello", "module": "hello_asgi.main:app", "server_names": [SERVER_NAME],
           "source": {"type": "git", "repo": uv_project}, "env": {"HELLO_NAME": "hello"}}
    extra = tmp_path / "apps.json"
    extra.write_text(json.dumps({"asgi_apps": [app]}))
    code, output = playbook_recap("asgi.deploy.deploy", "-e", "@%s" % extra)
    assert code == 0, output[-3000:]
    release = live_release(host)
    assert release["locked"] is True
    exported = pins(host.file("/srv/hello/releases/%s/uv-export.txt" % release["release"]).content_string, markers)
    with open(SERVER_LOCK) as handle:
        server = pins(handle.read(), markers)
    assert installed(host, release) == dict(server, **dict(exported, **{"hello-asgi": "1.0.0"}))
    assert https_json(SERVER_NAME, https_port, ca_pem, "/")["version"] == "1.0.0"
