"""The measuring half of bench/deploy: run from the repository root with the harness's
environment (images, wheels, the installed collection) already set up."""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "molecule", "shared"))

from asgi_load import Load  # noqa: E402

SERVER_NAME = "hello.example.test"
PORT = int(os.environ.get("ASGI_RELEASE_HTTPS_PORT", "18543"))
LOAD_SECONDS = 15


def timed(*command):
    begin = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit("%s failed:\n%s" % (" ".join(command), (done.stdout + done.stderr)[-3000:]))
    return time.monotonic() - begin


def ca_pem():
    return subprocess.run(["docker", "exec", "asgi-release-bookworm", "cat", "/etc/ssl/asgi-deploy/hello.crt"],
                          capture_output=True, text=True, check=True).stdout


def release_inventory():
    # Molecule keeps each scenario's state under $ANSIBLE_HOME/tmp (scripts/lib.sh sets it).
    found = glob.glob(os.path.join(os.environ["ANSIBLE_HOME"], "tmp", "molecule.*.release", "inventory"))
    if len(found) != 1:
        sys.exit("expected one inventory of the release scenario, found %s" % found)
    return found[0]


def v2_vars():
    app = {"name": "hello", "module": "hello_asgi.main:app", "server_names": [SERVER_NAME],
           "source": {"type": "wheel", "path": os.environ["ASGI_EXAMPLE_WHEEL_V2"]},
           "env": {"HELLO_NAME": "hello"}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"asgi_apps": [app]}, extra)
    return extra.name


def main():
    first = timed("molecule", "converge", "-s", "release")
    unchanged = timed("molecule", "converge", "-s", "release")
    pem = ca_pem()
    with Load(SERVER_NAME, PORT, pem, max_seconds=LOAD_SECONDS) as steady:
        time.sleep(LOAD_SECONDS)
    extra = v2_vars()
    with Load(SERVER_NAME, PORT, pem, max_seconds=120) as switching:
        time.sleep(2)
        deploy = timed("ansible-playbook", "-i", release_inventory(), "asgi.deploy.deploy", "-e", "@" + extra)
    rows = [
        ("first converge", "%.1f s" % first),
        ("converge, no change", "%.1f s" % unchanged),
        ("release deploy (v1 -> v2)", "%.1f s" % deploy),
        ("p99 steady state", "%.1f ms (%d requests, %d failed)"
         % (1000 * steady.percentile(0.99), steady.requests, len(steady.failures))),
        ("p99 during the switch", "%.1f ms (%d requests, %d failed)"
         % (1000 * switching.percentile(0.99), switching.requests, len(switching.failures))),
        ("p99 ratio switch / steady", "%.2f" % (switching.percentile(0.99) / steady.percentile(0.99))),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print("%s  %s" % (name.ljust(width), value))


if __name__ == "__main__":
    main()
