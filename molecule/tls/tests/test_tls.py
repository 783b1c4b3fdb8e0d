"""nginx and TLS on each host: Mozilla profile compliance scanned by sslyze, HTTP/2,
unknown names, headers, static files, streaming, WebSockets, limits, logs, and a broken
snippet that must never go live. Requests go from the machine running the tests to the
ports each host publishes on 127.0.0.1 (asgi_test_http_port, asgi_test_https_port)."""

import copy
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import pytest
import testinfra
import urllib3

from asgi_probe import (http_get, https_get, https_json, https_pool, negotiated_alpn,
                        playbook_recap, websocket_echo)

NAME = "tls.example.test"
CONF = "/etc/nginx/conf.d/asgi-app-hello.conf"
BAD_DIRECTIVE = "asgi_test_no_such_directive"


@pytest.fixture(scope="module")
def profile(host_vars):
    return host_vars.get("nginx_tls_profile", "intermediate")


@pytest.fixture(scope="module")
def ca_pem():
    """The test CA (prepare.yml) that signed the app's certificate."""
    with open(os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "pki", "ca.pem")) as ca:
        return ca.read()


def test_certificate_and_key_in_place(host, profile):
    # intermediate hosts use the files already there; modern ones got copies from the controller.
    if profile == "intermediate":
        cert, key = "/etc/asgi-test-pki/hello.pem", "/etc/asgi-test-pki/hello.key"
    else:
        cert, key = "/etc/ssl/asgi-deploy/hello.crt", "/etc/ssl/asgi-deploy/private/hello.key"
    assert host.file(cert).is_file
    assert (host.file(key).user, host.file(key).mode) == ("root", 0o600)
    conf = host.file(CONF).content_string
    assert 'ssl_certificate "%s";' % cert in conf
    assert 'ssl_certificate_key "%s";' % key in conf


def test_sslyze_finds_the_mozilla_profile(profile, https_port, ca_pem):
    # sslyze checks against the Mozilla profile it bundles (5.7): versions, cipher suites,
    # curves, certificate type, signature, lifespan and trust, and known vulnerabilities.
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as ca_file:
        ca_file.write(ca_pem)
        ca_file.flush()
        scan = subprocess.run(
            [sys.executable, "-m", "sslyze", "--mozilla_config=%s" % profile,
             "--certinfo_ca_file", ca_file.name, "--sni", NAME, "127.0.0.1:%d" % https_port],
            capture_output=True, text=True, timeout=300)
    assert scan.returncode == 0, scan.stdout[-4000:]
    assert "127.0.0.1:%d: OK - Compliant." % https_port in scan.stdout, scan.stdout[-4000:]


def test_tls12_only_where_the_profile_allows_it(profile, https_port, ca_pem):
    context = ssl.create_default_context(cadata=ca_pem)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
        if profile == "modern":
            with pytest.raises(ssl.SSLError):
                context.wrap_socket(raw, server_hostname=NAME)
        else:
            with context.wrap_socket(raw, server_hostname=NAME) as tls:
                assert tls.version() == "TLSv1.2"
                assert tls.cipher()[0].startswith("ECDHE-")


def test_post_quantum_hybrid_group_where_openssl_has_it(host):
    # From the host itself: this machine's OpenSSL may predate X25519MLKEM768 (3.5).
    openssl = host.check_output("openssl version").split()[1]
    handshake = host.run("openssl s_client -groups X25519MLKEM768:X25519 -connect 127.0.0.1:443 "
                         "-servername %s </dev/null" % NAME).stdout
    nginx_conf = host.file("/etc/nginx/nginx.conf").content_string
    if tuple(int(part) for part in openssl.split(".")[:2]) >= (3, 5):
        assert "ssl_ecdh_curve X25519MLKEM768:X25519:prime256v1:secp384r1;" in nginx_conf
        assert "Negotiated TLS1.3 group: X25519MLKEM768" in handshake
    else:
        assert "ssl_ecdh_curve X25519:prime256v1:secp384r1;" in nginx_conf


def test_http2_is_negotiated(https_port, ca_pem):
    alpn, version = negotiated_alpn(NAME, https_port, ca_pem)
    assert alpn == "h2"
    assert version in ("TLSv1.2", "TLSv1.3")


def test_the_app_sees_the_client_and_the_original_request(https_port, ca_pem):
    body = https_json(NAME, https_port, ca_pem)
    assert (body["scheme"], body["host"]) == ("https", NAME)
    assert body["client"] not in (None, "", "unix")


def test_security_headers_hsts_and_the_snippet(profile, https_port, ca_pem):
    headers = https_get(NAME, https_port, ca_pem, "/healthz").headers
    hsts = "max-age=63072000; includeSubDomains; preload" if profile == "modern" else "max-age=63072000"
    assert headers["Strict-Transport-Security"] == hsts
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # The app replaced X-Frame-Options by a CSP frame-ancestors.
    assert "X-Frame-Options" not in headers
    assert headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert headers["X-Snippet"] == "applied"
    assert headers["Server"] == "nginx"


def test_plain_http_redirects(http_port):
    response = http_get(NAME, http_port, "/a?b=1")
    assert response.status == 301
    assert response.headers["Location"] == "https://%s/a?b=1" % NAME


def test_unknown_host_gets_no_answer_on_port_80(http_port):
    with pytest.raises(urllib3.exceptions.ProtocolError):
        http_get("unknown.example.test", http_port)


def test_unknown_name_gets_no_tls_handshake(https_port):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(raw, server_hostname="unknown.example.test")


def test_known_name_with_unknown_host_gets_no_answer(https_port, ca_pem):
    pool = https_pool(NAME, https_port, ca_pem)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        pool.request("GET", "/", headers={"Host": "unknown.example.test"})


def test_static_files_come_from_nginx_with_cache_headers(https_port, ca_pem):
    response = https_get(NAME, https_port, ca_pem, "/static/site.css")
    assert response.status == 200
    assert response.data == b"body { color: #222; }\n"
    assert response.headers["Cache-Control"] == "max-age=604800"
    assert "Expires" in response.headers
    assert https_get(NAME, https_port, ca_pem, "/static/missing.css").status == 404


def test_websocket_echo(https_port, ca_pem):
    messages = ["hello", "x" * 3000]
    assert websocket_echo(NAME, https_port, ca_pem, messages) == messages


def test_server_sent_events_arrive_as_they_are_sent(https_port, ca_pem):
    pool = https_pool(NAME, https_port, ca_pem)
    started = time.monotonic()
    response = pool.request("GET", "/events?count=5&interval=0.5", headers={"Host": NAME},
                            preload_content=False)
    arrivals = []
    for chunk in response.stream(1024, decode_content=True):
        arrivals.append((time.monotonic() - started, chunk))
    response.release_conn()
    body = b"".join(chunk for _, chunk in arrivals)
    assert body == b"".join(b"data: %d\n\n" % n for n in range(5))
    # Five events 0.5 s apart: the first must not wait for the last.
    assert arrivals[-1][0] >= 2.0
    assert arrivals[0][0] < 1.0, arrivals


def test_body_size_limit(https_port, ca_pem):
    pool = https_pool(NAME, https_port, ca_pem)
    response = pool.request("POST", "/", body=b"x" * (2 * 1024 * 1024), headers={"Host": NAME})
    assert response.status == 413


def test_proxy_timeout_follows_gunicorn(host):
    conf = host.file(CONF).content_string
    # gunicorn_timeout (30) plus nginx_proxy_timeout_margin (30); streams get their own.
    assert "proxy_read_timeout 60s;" in conf
    assert "proxy_read_timeout 3600s;" in conf


def test_access_log_format(host, profile, https_port, ca_pem):
    https_get(NAME, https_port, ca_pem, "/healthz?log-probe=1")
    lines = host.file("/var/log/nginx/hello.access.log").content_string.splitlines()
    line = [line for line in lines if "log-probe=1" in line][-1]
    if profile == "modern":
        entry = json.loads(line)
        assert entry["status"] == 200
        assert entry["request"].startswith("GET /healthz?log-probe=1 ")
    else:
        assert '"GET /healthz?log-probe=1 HTTP/' in line


def test_rate_limit_counts_per_real_client(profile, host, https_port, ca_pem):
    """The limit counts per client address nginx knows: addresses a client forges in
    X-Forwarded-For get no bucket of their own, another client (the host itself) has its own."""
    if profile != "modern":
        pytest.skip("only the modern host's app has a rate limit")
    pool = https_pool(NAME, https_port, ca_pem)
    statuses = [pool.request("GET", "/healthz", headers={"Host": NAME}).status for _ in range(40)]
    forged = [pool.request("GET", "/healthz", headers={"Host": NAME, "X-Forwarded-For": "198.51.100.%d" % number})
              .status for number in range(1, 21)]
    other_client = host.check_output(
        "curl -sk -o /dev/null -w '%%{http_code}' --resolve %s:443:127.0.0.1 "
        "https://%s/healthz" % (NAME, NAME))
    time.sleep(1.5)
    assert 429 in statuses, statuses
    # Twenty forged addresses in a row, faster than 20r/s: had each its own bucket, none would be refused.
    assert 429 in forged, forged
    assert other_client == "200"


def test_logrotate_covers_the_app_logs(host):
    assert host.package("logrotate").is_installed
    debug = host.run("logrotate --debug /etc/logrotate.d/nginx")
    assert "/var/log/nginx/hello.access.log" in debug.stdout + debug.stderr
    assert "/var/log/nginx/hello.error.log" in debug.stdout + debug.stderr


def test_rate_limit_answers_429(profile, https_port, ca_pem):
    pool = https_pool(NAME, https_port, ca_pem)
    statuses = [pool.request("GET", "/healthz", headers={"Host": NAME}).status for _ in range(60)]
    time.sleep(1.5)
    if profile == "modern":
        assert statuses[0] == 200
        assert 429 in statuses, statuses
    else:
        assert set(statuses) == {200}


@pytest.fixture(scope="session")
def bad_snippet_play():
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    return playbook_recap(playbook, "-e", "tls_test_snippet='%s on;'" % BAD_DIRECTIVE)


def test_bad_snippet_fails_the_play_and_the_old_config_serves(host, bad_snippet_play, https_port, ca_pem):
    code, output = bad_snippet_play
    assert code != 0
    # nginx's own message (JSON-escaped in Ansible's output).
    assert re.search(r'unknown directive \\*"%s\\*"' % BAD_DIRECTIVE, output), output[-3000:]
    assert BAD_DIRECTIVE not in host.file(CONF).content_string
    response = https_get(NAME, https_port, ca_pem, "/healthz")
    assert response.status == 200
    assert response.headers["X-Snippet"] == "applied"


LIVE_PAIR = "sha256sum /etc/ssl/asgi-deploy/hello.crt /etc/ssl/asgi-deploy/private/hello.key"


def new_pair_play(host_vars, tmp_path, cert_pem, key_pem):
    """Deploy this host with its certificate and key from the controller replaced."""
    apps = copy.deepcopy(host_vars["asgi_apps"])
    cert, key = tmp_path / "new.pem", tmp_path / "new.key"
    cert.write_text(cert_pem)
    key.write_text(key_pem)
    key.chmod(0o600)
    apps[0]["tls"] = {"mode": "provided", "cert_src": str(cert), "key_src": str(key)}
    extra = tmp_path / "pair.json"
    extra.write_text(json.dumps({"asgi_apps": apps}))
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    return playbook_recap(playbook, "--limit", host_vars["inventory_hostname"], "-e", "@%s" % extra)


def served_certificate(https_port, ca_pem):
    context = ssl.create_default_context(cadata=ca_pem)
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=NAME) as tls:
            return tls.getpeercert(binary_form=True)


def test_a_certificate_and_key_that_do_not_match_change_nothing(host, profile, host_vars, https_port, ca_pem,
                                                                tmp_path):
    if profile != "modern":
        pytest.skip("only the modern hosts get their pair from the controller")
    before = host.check_output(LIVE_PAIR)
    served = served_certificate(https_port, ca_pem)
    other_key = host.check_output("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256") + "\n"
    current_cert = host.file("/etc/ssl/asgi-deploy/hello.crt").content_string
    code, output = new_pair_play(host_vars, tmp_path, current_cert, other_key)
    assert code != 0, output[-3000:]
    assert "asgi_apps[hello].tls: the certificate (cert_src) and the key (key_src) do not match" in output, \
        output[-3000:]
    assert "PRIVATE KEY" not in output
    assert host.check_output(LIVE_PAIR) == before
    # The live pair still works: nginx starts again (a reboot), serving the same certificate.
    assert host.run("systemctl restart nginx").rc == 0
    assert served_certificate(https_port, ca_pem) == served


def test_a_new_matching_pair_is_checked_then_served(host, profile, host_vars, https_port, ca_pem, tmp_path):
    if profile != "modern":
        pytest.skip("only the modern hosts get their pair from the controller")
    ca_host = testinfra.get_host("ansible://asgi-tls-bookworm", ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])
    issued = ca_host.check_output(
        "set -e; d=$(mktemp -d); cd $d;"
        " openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out new.key 2>/dev/null;"
        " openssl req -new -key new.key -subj /CN=%s -out new.csr;"
        " printf 'subjectAltName=DNS:%s\\n' > ext;"
        " openssl x509 -req -in new.csr -CA /root/asgi-test-pki/ca.pem -CAkey /root/asgi-test-pki/ca.key"
        " -CAcreateserial -days 30 -extfile ext -out new.pem 2>/dev/null;"
        " cat new.pem new.key; rm -rf $d" % (NAME, NAME))
    split = issued.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")
    cert_pem, key_pem = issued[:split] + "\n", issued[split:].strip() + "\n"
    code, output = new_pair_play(host_vars, tmp_path, cert_pem, key_pem)
    assert code == 0, output[-3000:]
    assert served_certificate(https_port, ca_pem) == ssl.PEM_cert_to_DER_cert(cert_pem)
    assert host.file("/etc/ssl/asgi-deploy/private/hello.key").mode == 0o600
