"""What the verify tests ask a test host, shared by every scenario (each scenario's
tests/conftest.py imports the fixtures): its inventory vars, the ports it publishes on
127.0.0.1, the CA its apps' certificates chain to, an app's live slot, and waiting for
a condition."""

import posixpath
import time

import pytest


@pytest.fixture(scope="module")
def host_vars(host):
    return host.ansible.get_variables()


@pytest.fixture(scope="module")
def http_port(host_vars):
    return int(host_vars["asgi_test_http_port"])


@pytest.fixture(scope="module")
def https_port(host_vars):
    return int(host_vars["asgi_test_https_port"])


def app_cert(host, app):
    """The app's self-signed certificate, its own CA (tls.mode selfsigned)."""
    return host.file("/etc/ssl/asgi-deploy/%s.crt" % app).content_string


@pytest.fixture(scope="module")
def ca_pem(host):
    """What the first app's certificate chains to: a scenario with another CA overrides this."""
    return app_cert(host, "hello")


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


def uv(host):
    """The uv the collection builds with on the host: a venv per uv version, one of them."""
    found = host.check_output("ls -d /opt/asgi-deploy/tools/uv-*/bin/uv").split()
    assert len(found) == 1, "more than one uv: %s" % found
    return found[0]
