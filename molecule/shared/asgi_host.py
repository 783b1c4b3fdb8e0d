"""What the verify tests of the hardening and faults scenarios ask a test host: its
published ports, an app's certificate and live slot, and waiting for a condition."""

import posixpath
import time

import pytest


@pytest.fixture(scope="module")
def https_port(host):
    return int(host.ansible.get_variables()["asgi_test_https_port"])


@pytest.fixture(scope="module")
def cert(host):
    return host.file("/etc/ssl/asgi-deploy/hello.crt").content_string


def live_unit(host, app="hello"):
    """The service of the slot that `current` names: the one nginx sends traffic to."""
    slot = posixpath.basename(host.check_output("readlink /srv/%s/current" % app))
    return "asgi-%s@%s.service" % (app, slot)


def unit_property(host, unit, name):
    return host.check_output("systemctl show -p %s --value %s" % (name, unit))


def wait_until(condition, timeout, interval=0.5):
    """Seconds until condition() was true, or None when timeout passed first."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if condition():
                return time.monotonic() - start
        except Exception:  # the app or host is still coming back: try again
            pass
        time.sleep(interval)
    return None
