# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module against real local servers: an HTTPS server on 127.0.0.1 with a certificate
for the app's name (a real TLS handshake with that server name), a plain HTTP server that
redirects, and the app's links in a temporary directory; systemctl's answers are given."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import datetime
import functools
import http.server
import os
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible.module_utils import basic

from ansible_collections.asgi.deploy.plugins.module_utils import _apps
from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.modules import app_check

NAME = 'shop.example.test'


def self_signed(directory, name, days):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    not_after = now + datetime.timedelta(days=days)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(min(now, not_after) - datetime.timedelta(days=1)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if isinstance(self.connection, ssl.SSLSocket):
            self.send_response(200 if self.path == '/healthz' else 404)
            self.send_header('Strict-Transport-Security', 'max-age=63072000')
        else:
            self.send_response(301)
            self.send_header('Location', 'https://%s%s' % (self.headers['Host'], self.path))
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def servers(cert_path, key_path):
    https = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    https.socket = context.wrap_socket(https.socket, server_side=True)
    plain = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    for server in (https, plain):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield https.server_address[1], plain.server_address[1]
    finally:
        for server in (https, plain):
            server.shutdown()
            server.server_close()


@pytest.fixture
def host(tmp_path, monkeypatch):
    """The app's links under tmp_path with slot b live; systemctl reports b running."""
    # A fake host below /tmp: the rule that keeps asgi_root out of what the apps' sandbox
    # hides (/tmp among them) is for real hosts.
    monkeypatch.setattr(_apps, 'HIDDEN_FROM_APPS', ())
    app = normalize_apps([{'name': 'shop', 'module': 'shop.main:app', 'server_names': [NAME],
                           'source': {'type': 'pypi', 'spec': 'shop==1.0'}}],
                         root=str(tmp_path), socket_dir=str(tmp_path / 'run'))[0]
    os.makedirs(app['slots_dir'])
    os.symlink(app['slots']['b']['socket'], app['live_socket_link'])
    os.symlink(app['slots']['b']['link'], app['current'])
    os.symlink(os.path.join(app['releases_dir'], 'r-0123abcd4567'), app['slots']['b']['link'])
    states = {unit: 'active' for unit in (app['slots']['b']['service'], app['slots']['b']['socket_unit'])}

    def run_command(module, argv, **kwargs):
        return 0, states.get(argv[-1], 'inactive') + '\n', ''

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    return app, states


@pytest.fixture
def run(run_main):
    return functools.partial(run_main, app_check.main)


def test_healthy_app_over_a_real_handshake(host, run, tmp_path):
    app = host[0]
    cert, key = self_signed(str(tmp_path), NAME, days=90)
    with servers(cert, key) as (https_port, http_port):
        failed, result = run({'app': app, 'https_port': https_port, 'http_port': http_port, 'ca_file': cert,
                              '_ansible_check_mode': True})
    assert (failed, result['changed'], result['healthy'], result['failures']) == (False, False, True, [])
    assert result['line'] in ('shop ok: live slot b, release r-0123abcd4567, 1 name, certificate %d days left' % days
                              for days in (89, 90))


def test_expired_certificate_is_reported(host, run, tmp_path):
    app = host[0]
    cert, key = self_signed(str(tmp_path), NAME, days=-2)
    with servers(cert, key) as (https_port, http_port):
        failed, result = run({'app': app, 'https_port': https_port, 'http_port': http_port, 'ca_file': cert})
    assert failed is False and result['healthy'] is False
    assert result['failures'] == ['https://%s: certificate not valid for this name: certificate has expired' % NAME]


def test_certificate_for_another_name_is_reported(host, run, tmp_path):
    app = host[0]
    cert, key = self_signed(str(tmp_path), 'other.example.test', days=90)
    with servers(cert, key) as (https_port, http_port):
        result = run({'app': app, 'https_port': https_port, 'http_port': http_port, 'ca_file': cert})[1]
    assert result['healthy'] is False
    assert "Hostname mismatch" in result['failures'][0]


def test_stopped_live_slot_and_unreachable_nginx(host, run, tmp_path):
    app, states = host
    states[app['slots']['b']['service']] = 'failed'
    result = run({'app': app, 'https_port': 1, 'http_port': 1, 'timeout': 2})[1]
    assert result['healthy'] is False
    assert "the live slot's asgi-shop@b.service is failed" in result['failures']
    assert any(failure.startswith('https://%s: ConnectionRefusedError' % NAME) for failure in result['failures'])


def test_a_record_that_is_not_one_fails_clearly(host, run):
    failed, result = run({'app': {'name': 'shop'}})
    assert failed is True
    assert result['msg'].startswith('app is not a record of the asgi_apps_normalize filter')
