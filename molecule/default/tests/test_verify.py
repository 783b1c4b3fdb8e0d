"""asgi.deploy.verify, the smoke test an operator runs after a deploy: on the converged
hosts it passes with one line per app and host and changes nothing (check mode); then one
thing at a time is broken on the Debian 12 host (an expired certificate, a stopped live
slot, nginx answering 502) and it must fail naming that, until the host is put back."""

import contextlib
import datetime
import os
import re
import subprocess
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from asgi_host import app_cert, live_unit, wait_until
from asgi_probe import changed_count, https_json, playbook_recap

HOST = "asgi-default-bookworm"
testinfra_hosts = ["ansible://" + HOST]
APPS = {"hello": "hello.example.test", "second": "second.example.test"}
CERT = "/etc/ssl/asgi-deploy/hello.crt"
KEY = "/etc/ssl/asgi-deploy/private/hello.key"


def verify(*args):
    return playbook_recap("asgi.deploy.verify", *args)


def serves(host, https_port):
    return https_json(APPS["hello"], https_port, app_cert(host, "hello"))["app"] == "hello"


def expired_pair(directory):
    """A key and a certificate for hello's names that expired yesterday."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, APPS["hello"])])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=30)).not_valid_after(now - datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(APPS["hello"]),
                                                        x509.DNSName("www." + APPS["hello"])]), critical=False)
            .sign(key, hashes.SHA256()))
    paths = os.path.join(directory, "hello.crt"), os.path.join(directory, "hello.key")
    with open(paths[0], "wb") as out:
        out.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return paths


@contextlib.contextmanager
def broken(host, https_port, break_commands, restore_commands):
    for command in break_commands:
        host.check_output(command)
    try:
        yield
    finally:
        for command in restore_commands:
            host.run(command)
        assert wait_until(lambda: serves(host, https_port), 60) is not None


def test_healthy_hosts_pass_with_one_line_per_app_and_change_nothing():
    code, output = verify("--check")
    assert code == 0, output[-3000:]
    assert changed_count(output) == 0, output[-3000:]
    # Both hosts, both apps: live slot, its release, the names checked, the certificate's days left.
    for app in APPS:
        assert output.count('"%s ok: live slot a, release r-' % app) == 2, output[-3000:]
    # hello's two names and its fresh self-signed certificate (nginx_selfsigned_days 365).
    assert re.search(r'"hello ok: live slot a, release r-[0-9a-f]+, 2 names, certificate 36[45] days left"', output)


def test_expired_certificate_fails_naming_it(host, https_port):
    with tempfile.TemporaryDirectory() as directory:
        cert, key = expired_pair(directory)
        for source, target in ((cert, CERT + ".expired"), (key, KEY + ".expired")):
            subprocess.run(["docker", "cp", source, "%s:%s" % (HOST, target)], check=True)
    with broken(host, https_port,
                ["cp -p %s %s.good" % (CERT, CERT), "cp -p %s %s.good" % (KEY, KEY),
                 "mv %s.expired %s" % (CERT, CERT), "mv %s.expired %s" % (KEY, KEY), "systemctl reload nginx"],
                ["mv %s.good %s" % (CERT, CERT), "mv %s.good %s" % (KEY, KEY), "systemctl reload nginx"]):
        code, output = verify("--limit", HOST)
    assert code != 0
    assert "hello FAILED" in output
    assert "https://hello.example.test: certificate not valid for this name: certificate has expired" in output
    assert "second ok" in output


def test_stopped_live_slot_fails_naming_it(host, https_port):
    service = live_unit(host)
    socket_unit = service.replace(".service", ".socket")
    with broken(host, https_port, ["systemctl stop %s %s" % (socket_unit, service)],
                ["systemctl start %s %s" % (socket_unit, service)]):
        code, output = verify("--limit", HOST)
    assert code != 0
    assert "the live slot's %s is inactive" % service in output
    assert "the live slot's %s is inactive" % socket_unit in output


def test_nginx_answering_502_fails_naming_it(host, https_port):
    # The units keep running; nginx's user may no longer connect to the live socket (the
    # reload drops nginx's kept-alive upstream connections, which would still work).
    sock = "/run/asgi-deploy/hello-%s.sock" % live_unit(host).split("@")[1].split(".")[0]
    with broken(host, https_port, ["chmod 0600 %s" % sock, "systemctl reload nginx"],
                ["chmod 0660 %s" % sock, "systemctl reload nginx"]):
        code, output = verify("--limit", HOST)
    assert code != 0
    assert "https://hello.example.test health answered 502, not 200" in output
    assert "live slot" in output and "is inactive" not in output
