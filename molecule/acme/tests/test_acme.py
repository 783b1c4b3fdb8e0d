"""ACME with pebble: the certificate nginx serves chains to pebble's root, the HTTP-01
webroot answers on port 80, the renewal timer is armed, a renewal with nothing due
leaves nginx alone and a forced renewal makes nginx serve a new certificate."""

import os
import socket
import ssl
import time

import pytest
import testinfra
from cryptography import x509

from asgi_probe import http_get, https_json

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
# The app hosts; pebble is reached through its own connection below.
testinfra_hosts = ["ansible://asgi?ansible_inventory=%s" % INVENTORY]
CERT_DIR = "/var/lib/dehydrated/certs/hello"


@pytest.fixture(scope="module")
def pebble_root():
    pebble = testinfra.get_host("ansible://asgi-acme-pebble?ansible_inventory=%s" % INVENTORY)
    root = pebble.check_output("curl -sS --cacert /etc/pebble/tls.crt https://pebble:15000/roots/0")
    assert "BEGIN CERTIFICATE" in root
    return root


@pytest.fixture(scope="module")
def name(host_vars):
    return host_vars["asgi_test_name"]


def served_certificate(name, port, root):
    """The leaf certificate nginx presents, after verifying its chain against root."""
    context = ssl.create_default_context(cadata=root)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def nginx_workers(host):
    return set(host.check_output("pgrep --full '^nginx: worker process'").split())


def test_served_certificate_chains_to_pebbles_root(name, https_port, pebble_root):
    leaf = served_certificate(name, https_port, pebble_root)
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [name]
    assert "Pebble" in leaf.issuer.rfc4514_string()


def test_app_answers_over_the_acme_certificate(name, https_port, pebble_root):
    body = https_json(name, https_port, pebble_root)
    assert (body["scheme"], body["host"]) == ("https", name)


def test_port_80_serves_the_challenge_webroot_and_redirects_the_rest(host, host_vars, name):
    port = int(host_vars["asgi_test_http_port"])
    host.run("install -m 0644 /dev/null /var/lib/dehydrated/acme-challenges/probe-token")
    try:
        assert http_get(name, port, "/.well-known/acme-challenge/probe-token").status == 200
    finally:
        host.run("rm -f /var/lib/dehydrated/acme-challenges/probe-token")
    assert http_get(name, port, "/.well-known/acme-challenge/none").status == 404
    assert http_get(name, port, "/").status == 301


def test_private_key_readable_by_root_only(host):
    key = host.file(host.check_output("readlink -f %s/privkey.pem" % CERT_DIR))
    assert key.user == "root"
    assert key.mode & 0o077 == 0


def test_renewal_timer_is_armed(host):
    timer = host.service("asgi-deploy-acme-renew.timer")
    assert timer.is_enabled
    assert timer.is_running


def test_renewal_with_nothing_due_leaves_nginx_alone(host, name, https_port, pebble_root):
    serial = served_certificate(name, https_port, pebble_root).serial_number
    workers = nginx_workers(host)
    host.check_output("systemctl start asgi-deploy-acme-renew.service")
    assert "Skipping renew" in host.check_output("journalctl -u asgi-deploy-acme-renew.service -n 30 --no-pager")
    assert nginx_workers(host) == workers
    assert served_certificate(name, https_port, pebble_root).serial_number == serial


def test_forced_renewal_reloads_nginx_with_a_new_certificate(host, name, https_port, pebble_root):
    serial = served_certificate(name, https_port, pebble_root).serial_number
    workers = nginx_workers(host)
    account_key = host.check_output("ls /var/lib/dehydrated/asgi-deploy-account-*.pem")
    host.check_output("dehydrated --cron --force --privkey %s" % account_key)
    deadline = time.monotonic() + 20
    while served_certificate(name, https_port, pebble_root).serial_number == serial:
        assert time.monotonic() < deadline, "nginx still serves the old certificate"
        time.sleep(0.5)
    assert nginx_workers(host).isdisjoint(workers)
