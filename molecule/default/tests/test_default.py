"""Two apps on each systemd host (Debian 12 and 13): units, files and modes on the host, and
real requests through nginx from the machine running the tests, to the ports that host
publishes (asgi_test_http_port and asgi_test_https_port in its inventory vars)."""

import ast
import ipaddress
import json
import os
import re
import time

import pytest
import urllib3

from asgi_host import app_cert, uv, wait_until
from asgi_logs import get_with_request_id, json_lines, nginx_lines_with
from asgi_probe import (changed_count, http_get, https_get, https_json, https_pool, negotiated_alpn,
                        playbook_recap, websocket_echo)

APPS = {"hello": "hello.example.test", "second": "second.example.test"}
WHEEL_VERSION = re.match(r"hello_asgi-([^-]+)-", os.path.basename(os.environ["ASGI_EXAMPLE_WHEEL"])).group(1)


@pytest.fixture(scope="module")
def certs(host):
    return {app: app_cert(host, app) for app in APPS}


# A first deploy runs each app in release slot "a"; slot "b" waits for the next release.
@pytest.mark.parametrize("unit", ["nginx.service", "asgi-hello@a.socket", "asgi-hello@a.service",
                                  "asgi-second@a.socket", "asgi-second@a.service"])
def test_unit_active_and_enabled(host, unit):
    service = host.service(unit)
    assert service.is_running
    assert service.is_enabled


@pytest.mark.parametrize("unit", ["asgi-hello@b.service", "asgi-hello@b.socket"])
def test_idle_slot_is_stopped(host, unit):
    service = host.service(unit)
    assert not service.is_running
    assert not service.is_enabled


@pytest.mark.parametrize("app", APPS)
def test_socket_only_for_nginx(host, app):
    sock = host.file("/run/asgi-deploy/%s-a.sock" % app)
    assert sock.is_socket
    assert sock.user == "root"
    assert sock.group == "www-data"
    assert sock.mode == 0o660


@pytest.mark.parametrize("app", APPS)
def test_env_file_readable_only_by_root_and_app(host, app):
    env = host.file("/etc/asgi-deploy/%s/slots/a/env" % app)
    assert (env.user, env.group, env.mode) == ("root", app, 0o640)
    assert "HELLO_NAME=\"%s\"" % app in host.run("cat /etc/asgi-deploy/%s/slots/a/env" % app).stdout
    # What the next switch copies to a slot is root's only.
    staged = host.file("/etc/asgi-deploy/%s/staged/env" % app)
    assert (staged.user, staged.group, staged.mode) == ("root", "root", 0o600)


@pytest.mark.parametrize("app", APPS)
def test_release_owned_by_root_with_its_venv(host, app):
    current = host.file("/srv/%s/current" % app)
    assert current.is_symlink
    assert host.run("readlink /srv/%s/current" % app).stdout.strip() == "slots/a"
    release = host.file(current.linked_to)
    assert release.path.startswith("/srv/%s/releases/" % app)
    assert (release.user, release.mode) == ("root", 0o755)
    assert host.file(release.path + "/venv/bin/gunicorn").is_file
    assert host.file(release.path + "/venv").user == "root"
    shared = host.file("/srv/%s/shared" % app)
    assert (shared.user, shared.group, shared.mode) == (app, app, 0o750)


@pytest.mark.parametrize("app", APPS)
def test_app_user_is_a_system_account_without_login(host, app):
    user = host.user(app)
    assert user.uid < 1000
    assert user.shell == "/usr/sbin/nologin"


@pytest.mark.parametrize("app", APPS)
def test_gunicorn_runs_the_configured_workers(host, app):
    config = host.file("/etc/asgi-deploy/%s/slots/a/gunicorn.conf.py" % app).content_string
    worker_class = re.search(r"^worker_class = (.+)$", config, re.M).group(1)
    assert ast.literal_eval(worker_class) == "uvicorn_worker.UvicornWorker"
    workers = int(re.search(r"^workers = (\d+)$", config, re.M).group(1))
    master = host.run("systemctl show -p MainPID --value asgi-%s@a.service" % app).stdout.strip()
    children = host.run("pgrep -P %s" % master).stdout.split()
    assert len(children) == workers >= 1


@pytest.mark.parametrize("app,server_name", APPS.items())
def test_https_answers_with_the_apps_json(certs, https_port, app, server_name):
    body = https_json(server_name, https_port, certs[app])
    assert body["app"] == app
    assert body["version"] == WHEEL_VERSION
    assert body["scheme"] == "https"
    assert body["host"] == server_name
    # The app sees the real client, not the socket: X-Forwarded-For is trusted.
    ipaddress.ip_address(body["client"])


def test_https_sends_hsts_and_hides_the_version(certs, https_port):
    response = https_get(APPS["hello"], https_port, certs["hello"], "/healthz")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000"
    assert response.headers["Server"] == "nginx"


def test_http2_and_modern_tls_are_negotiated(certs, https_port):
    alpn, version = negotiated_alpn(APPS["hello"], https_port, certs["hello"])
    assert alpn == "h2"
    assert version in ("TLSv1.2", "TLSv1.3")


def test_alias_server_name_is_served(certs, https_port):
    body = https_json("www.hello.example.test", https_port, certs["hello"])
    assert body["app"] == "hello"


@pytest.mark.parametrize("server_name", APPS.values())
def test_plain_http_redirects_to_https(http_port, server_name):
    response = http_get(server_name, http_port, "/some/path?x=1")
    assert response.status == 301
    assert response.headers["Location"] == "https://%s/some/path?x=1" % server_name


def test_unknown_host_gets_no_answer(http_port):
    with pytest.raises(urllib3.exceptions.ProtocolError):
        http_get("unknown.example.test", http_port)


def test_websocket_echo_through_nginx(certs, https_port):
    messages = ["hello", "über", "x" * 5000]
    assert websocket_echo(APPS["hello"], https_port, certs["hello"], messages) == messages


def test_check_mode_reports_no_change(host_vars):
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    code, output = playbook_recap(playbook, "--check", "--limit", host_vars["inventory_hostname"])
    assert code == 0, output[-3000:]
    assert changed_count(output) == 0, output[-3000:]


FORGED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Real-IP": "203.0.113.8",
    "Forwarded": "for=203.0.113.9;proto=http",
    "X-Forwarded-Proto": "http",
    "X-Forwarded-Ssl": "off",
}


def test_a_forged_client_address_never_reaches_the_app(host, certs, https_port):
    """The app and nginx's log see the peer nginx saw, whatever the client wrote in
    X-Forwarded-For and its kin."""
    marker = "/?identity=%d" % time.time_ns()
    response = https_pool(APPS["hello"], https_port, certs["hello"]).request(
        "GET", marker, headers=dict(FORGED, Host=APPS["hello"]), redirect=False)
    assert response.status == 200, response.data[:500]
    body = json.loads(response.data)
    assert body["client"] not in {"203.0.113.7", "203.0.113.8", "203.0.113.9"}
    ipaddress.ip_address(body["client"])
    assert body["scheme"] == "https"
    logged = host.check_output("grep -F 'GET %s ' /var/log/nginx/hello.access.log" % marker)
    # The app logs JSON (asgi_log_format's default), and nginx's access log follows it.
    assert json.loads(logged)["remote_addr"] == body["client"]


def test_one_request_id_from_nginx_to_the_apps_log_lines(host, certs, https_port):
    """nginx replaces a client's X-Request-ID with its own, returns it, logs it, and the
    app's own log line for the request (hello_asgi's, through stdlib logging) carries it."""
    forged = "client-chosen-%d" % time.time_ns()
    response = get_with_request_id(APPS["hello"], https_port, certs["hello"], "/", forged)
    assert response.status == 200
    request_id = response.headers["X-Request-ID"]
    assert re.match(r"^[0-9a-f]{32}$", request_id), request_id
    nginx = [json.loads(line) for line in nginx_lines_with(host, "hello", request_id)]
    assert [(line["app"], line["request_id"], line["status"]) for line in nginx] == [("hello", request_id, 200)]
    assert not nginx_lines_with(host, "hello", forged)

    def app_lines():
        return [line for line in json_lines(host, "hello") if line["request_id"] == request_id]

    assert wait_until(lambda: app_lines(), 10) is not None
    line = app_lines()[0]
    assert line["logger"] == "hello_asgi" and line["message"].startswith("GET / answered 200")
    assert (line["app"], line["slot"]) == ("hello", "a") and line["release"].startswith("r-")


EXPECTED_BUILD = {"bookworm": ("pip", "3.11"), "trixie": ("uv", "3.13")}


def server_pins():
    """{name: version} the server lock the collection ships pins."""
    lock = os.path.join(os.path.dirname(__file__), "..", "..", "..", "roles", "app", "files", "server.lock")
    with open(lock) as handle:
        return dict((normalized(name), version)
                    for name, version in re.findall(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", handle.read(), re.M))


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("app", ["hello", "second"])
def test_each_release_is_built_by_its_installer_for_its_python_with_the_locked_server(host, app):
    installer, version = EXPECTED_BUILD[host.system_info.codename]
    release = json.loads(host.file("/srv/%s/current/release.json" % app).content_string)
    assert (release["installer"], release["python"]) == (installer, "/usr/bin/python" + version)
    venv = "/srv/%s/current/venv" % app
    assert host.check_output("%s/bin/python -c 'import sys; print(\"%%d.%%d\" %% sys.version_info[:2])'" % venv) == version
    # pip's venvs carry pip; uv's do not.
    assert host.file(venv + "/bin/pip").exists is (installer == "pip")
    freeze = host.check_output("%s pip freeze --python %s/bin/python" % (uv(host), venv))
    installed = dict((normalized(name), version) for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)$", freeze, re.M))
    # Every pin holds on Linux with CPython 3.11 and 3.13.
    assert dict((name, installed.get(name)) for name in server_pins()) == server_pins()
