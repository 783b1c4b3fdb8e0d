"""What the host tells an operator: a real Prometheus scrapes every target and counts
exactly the requests sent, before and after a release switch; the alert rules pass
promtool; journal lines are JSON with nginx's request id; a crash loop and deploys
(deployed, rolled back, failed) reach the webhook; the metrics answer nobody but
localhost; the journal and logs are bounded.
The tests run in file order: the counting tests first, before any other request."""

import json
import os
import re
import socket
import ssl
import tempfile
import time
import urllib.parse

import pytest

from asgi_host import unit_property, wait_until
from asgi_logs import FIELDS, get_with_request_id, json_lines, nginx_lines_with, slot_messages
from asgi_probe import https_get, playbook_recap

APP = "hello"
SERVER_NAME = "hello.example.test"
CANARY = "monitoring-canary-7f3a"
EVENTS = "/var/lib/webhook-events.jsonl"
RULES = "/etc/prometheus/asgi-deploy.rules.yml"


def prometheus(host, path, **params):
    """Prometheus's HTTP API on the host's loopback, as JSON."""
    url = "http://127.0.0.1:9090/api/v1/%s?%s" % (path, urllib.parse.urlencode(params))
    output = host.check_output("python3 -c %s" % _quote(
        "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(%r, timeout=5).read().decode())" % url))
    return json.loads(output)["data"]


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def query(host, expression):
    """{release: value} of a PromQL query summed by release."""
    result = prometheus(host, "query", query=expression)["result"]
    return dict((sample["metric"].get("release", ""), float(sample["value"][1])) for sample in result)


def release_of_live_slot(host):
    return host.check_output("readlink -f /srv/%s/current" % APP).rsplit("/", 1)[-1]


def counted(host):
    return query(host, 'sum by (release) (asgi_http_requests_total{app="%s"})' % APP)


def wait_for_count(host, release, expected, timeout=20):
    """Prometheus's count of the release once it reached expected (or the last one seen)."""
    seen = {}

    def reached():
        seen.update(counted(host))
        return seen.get(release) == expected

    wait_until(reached, timeout)
    return seen.get(release)


def send(https_port, ca_pem, count):
    for _ in range(count):
        assert https_get(SERVER_NAME, https_port, ca_pem, "/").status == 200


def events(host, kind=None):
    if not host.file(EVENTS).exists:
        return []
    found = [json.loads(line) for line in host.file(EVENTS).content_string.splitlines() if line.strip()]
    return [event for event in found if kind is None or event["event"] == kind]


def deploy(apps, wheel_variable, playbook="deploy"):
    changed = [dict(app, source={"type": "wheel", "path": os.environ[wheel_variable]}) for app in apps]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"asgi_apps": changed}, extra)
    return playbook_recap("asgi.deploy." + playbook, "-e", "@" + extra.name)


@pytest.fixture(scope="module")
def apps(host):
    return host.ansible.get_variables()["asgi_apps"]


def test_prometheus_scrapes_every_target(host):
    def all_up():
        targets = prometheus(host, "targets")["activeTargets"]
        return len(targets) == 2 and all(target["health"] == "up" for target in targets)

    assert wait_until(all_up, 30) is not None, prometheus(host, "targets")


def test_prometheus_counts_exactly_the_requests_sent(host, https_port, ca_pem):
    release = release_of_live_slot(host)
    # Health probes (the deploy's gate, the health watch) and scrapes are not requests.
    assert wait_for_count(host, release, 0.0, timeout=5) in (None, 0.0)
    send(https_port, ca_pem, 17)
    assert wait_for_count(host, release, 17.0) == 17.0
    latency = query(host, 'sum by (release) (asgi_http_request_duration_seconds_count{app="%s"})' % APP)
    assert latency[release] == 17.0
    assert query(host, 'sum by (release) (asgi_http_requests_total{app="%s", status="2xx"})' % APP)[release] == 17.0


def test_after_a_switch_the_new_release_counts_alone(host, https_port, ca_pem, apps):
    old = release_of_live_slot(host)
    code, output = deploy(apps, "ASGI_EXAMPLE_WHEEL_V2")
    assert code == 0, output[-3000:]
    new = release_of_live_slot(host)
    assert new != old
    send(https_port, ca_pem, 9)
    assert wait_for_count(host, new, 9.0) == 9.0
    # The old slot's series went with it: nothing stale is scraped.
    assert old not in counted(host)
    workers = query(host, 'sum by (release) (asgi_workers_alive{app="%s"})' % APP)
    assert list(workers) == [new] and workers[new] >= 1


def test_nginx_connections_are_scraped(host):
    assert query(host, "nginx_up")[""] == 1.0
    assert query(host, "nginx_connections_accepted")[""] > 0


def test_deploy_events_reach_the_webhook(host, apps):
    deployed = events(host, "deployed")
    assert len(deployed) >= 2, events(host)
    first, second = deployed[0], deployed[-1]
    for event in deployed:
        assert {"app", "release", "previous", "host", "what"} <= set(event)
        assert event["app"] == APP and event["host"] == "asgi-monitoring"
    assert first["previous"] is None
    assert second["previous"] == first["release"]
    assert second["release"] == release_of_live_slot(host)
    code, output = playbook_recap("asgi.deploy.rollback")
    assert code == 0, output[-3000:]
    rolled = events(host, "rolled back")
    assert rolled and rolled[-1]["release"] == first["release"] and rolled[-1]["previous"] == second["release"]


def test_a_failed_deploy_reaches_the_webhook_with_its_reason(host, apps):
    live = release_of_live_slot(host)
    before = len(events(host, "failed"))
    code, output = deploy(apps, "ASGI_EXAMPLE_WHEEL_BROKEN")
    assert code != 0, output[-3000:]
    assert release_of_live_slot(host) == live
    failed = events(host, "failed")
    assert len(failed) == before + 1, events(host)
    event = failed[-1]
    assert event["app"] == APP and event["host"] == "asgi-monitoring"
    # The release that was refused, and the one that keeps serving.
    assert "Release %s of %s was not activated" % (event["release"], APP) in output
    assert event["release"] != live and event["previous"] == live
    assert event["reason"]
    assert CANARY not in json.dumps(event)


def test_alert_rules_pass_promtool_and_fire_in_their_test(host):
    host.run_expect([0], "promtool check rules %s" % RULES)
    result = host.run("cd /etc/prometheus && promtool test rules asgi-deploy.rules.test.yml")
    assert result.rc == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr
    # The Prometheus that scrapes the host loaded them too.
    groups = prometheus(host, "rules")["groups"]
    assert "AsgiHighErrorRate" in [rule["name"] for group in groups for rule in group["rules"]]


def test_every_journal_line_of_the_app_is_json(host, https_port, ca_pem):
    assert https_get(SERVER_NAME, https_port, ca_pem, "/boom").status == 500

    def tracebacks():
        return [line for line in json_lines(host, APP) if "boom on purpose" in (line.get("exc_info") or "")]

    # uvicorn logs the exception once the 500 is on its way.
    assert wait_until(tracebacks, 10) is not None
    slots = " ".join("_SYSTEMD_UNIT=asgi-%s@%s.service" % (APP, slot) for slot in ("a", "b"))
    host.run_expect([0], "journalctl --no-pager -o cat %s | jq -e . >/dev/null" % slots)
    lines = json_lines(host, APP)
    assert len(lines) > 20
    for line in lines:
        assert set(FIELDS) <= set(line), line
        assert line["app"] == APP
    loggers = {line["logger"] for line in lines}
    assert {"gunicorn.error", "uvicorn.access", "hello_asgi"} <= loggers, loggers
    assert "Traceback" in tracebacks()[-1]["exc_info"]
    assert all(line["release"] and line["slot"] in ("a", "b") for line in lines)


def test_one_request_id_from_nginx_to_the_app(host, https_port, ca_pem):
    forged = "forged-by-client-0001"
    response = get_with_request_id(SERVER_NAME, https_port, ca_pem, "/", forged)
    assert response.status == 200
    request_id = response.headers["X-Request-ID"]
    # No trusted proxy: a client's own id is replaced by nginx's.
    assert request_id and request_id != forged
    wait_until(lambda: nginx_lines_with(host, APP, request_id), 5)
    nginx = [json.loads(line) for line in nginx_lines_with(host, APP, request_id)]
    assert len(nginx) == 1 and nginx[0]["request_id"] == request_id and nginx[0]["app"] == APP
    assert not nginx_lines_with(host, APP, forged)

    def app_lines():
        return [line for line in json_lines(host, APP) if line["request_id"] == request_id]

    wait_until(lambda: len(app_lines()) >= 2, 5)
    loggers = sorted(line["logger"] for line in app_lines())
    # One line each: the access line is formatted and written once.
    assert loggers == ["hello_asgi", "uvicorn.access"], loggers


def declared_too_large(https_port, ca_pem, path):
    """The answer to a POST whose Content-Length is above client_max_body_size: nginx
    refuses it (413) and writes an error line."""
    request = "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        path, SERVER_NAME, 64 << 20)
    context = ssl.create_default_context(cadata=ca_pem)
    answer = b""
    with socket.create_connection(("127.0.0.1", https_port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=SERVER_NAME) as tls:
            tls.sendall(request.encode())
            for chunk in iter(lambda: tls.recv(65536), b""):
                answer += chunk
    return answer.decode("latin-1")


def test_an_nginx_error_line_leads_to_its_request_id(host, https_port, ca_pem):
    """nginx's error log has its own text format, without the request id: the connection
    number it names (*N) is in the access line, which has the id."""
    path = "/echo?too-large-%d" % time.time_ns()
    answer = declared_too_large(https_port, ca_pem, path)
    assert answer.startswith("HTTP/1.1 413 "), answer[:300]
    request_id = re.search(r"^X-Request-ID: (\S+)\r$", answer, re.M | re.I).group(1)

    def error_lines():
        log = host.file("/var/log/nginx/%s.error.log" % APP).content_string
        return [line for line in log.splitlines() if '"POST %s HTTP/1.1"' % path in line]

    assert wait_until(error_lines, 5) is not None
    line = error_lines()[0]
    assert "client intended to send too large body" in line
    connection = int(re.search(r"\[error\] \d+#\d+: \*(\d+) ", line).group(1))
    access = [json.loads(logged) for logged in nginx_lines_with(host, APP, path)]
    assert [(logged["connection"], logged["status"], logged["request_id"]) for logged in access] == [
        (connection, 413, request_id)]


def test_metrics_answer_only_localhost(host, https_port, ca_pem):
    # From outside through the app's public server: 404.
    assert https_get(SERVER_NAME, https_port, ca_pem, "/_asgi_deploy/metrics").status == 404
    local = host.run("python3 -c %s" % _quote(
        "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9180/metrics/hello').status)"))
    assert local.stdout.strip() == "200"
    # From the host's own network address (not loopback, not allowed): 404 for every path.
    address = host.check_output("hostname -I").split()[0]
    for path in ("/metrics/hello", "/metrics/nginx", "/nginx_status", "/"):
        status = host.run("python3 -c %s" % _quote(
            "import urllib.request, urllib.error\ntry:\n urllib.request.urlopen('http://%s:9180%s')\n"
            " print(200)\nexcept urllib.error.HTTPError as e:\n print(e.code)" % (address, path)))
        assert status.stdout.strip() == "404", (path, status.stdout, status.stderr)
    # The exporter listens on loopback only.
    assert host.socket("tcp://127.0.0.1:9113").is_listening
    assert not host.socket("tcp://0.0.0.0:9113").is_listening


def test_a_crash_loop_alerts_within_60_seconds(host):
    slot = host.check_output("readlink /srv/%s/current" % APP).rsplit("/", 1)[-1]
    unit = "asgi-%s@%s.service" % (APP, slot)
    dropin = "/etc/systemd/system/%s.d" % unit
    assert unit_property(host, unit, "OnFailure").strip() == "asgi-deploy-notify@%s.service" % unit
    # From the slot's own drop-in (its fingerprinted configuration), not the template's.
    assert "/etc/systemd/system/%s.d/50-asgi-deploy.conf" % unit in unit_property(host, unit, "DropInPaths")
    assert not host.file("/etc/systemd/system/asgi-%s@.service.d" % APP).exists

    def alerts():
        # The slot's own: a refused release's slot may have alerted earlier.
        return [alert for alert in events(host, "unit failed") if alert.get("unit") == unit]

    before = len(alerts())
    host.run_expect([0], "mkdir -p %s && printf '%%s\\n' '[Service]' 'ExecStart=' "
                    "'ExecStart=/bin/sh -c \"echo crashing with $$HELLO_TOKEN; exit 1\"' > %s/99-crash.conf"
                    " && systemctl daemon-reload && systemctl restart %s || true" % (dropin, dropin, unit))
    started = time.monotonic()
    try:
        took = wait_until(lambda: len(alerts()) > before, 60)
        assert took is not None, events(host)
        alert = alerts()[-1]
        assert alert["app"] == APP and alert["host"] == "asgi-monitoring"
        assert alert["release"] == release_of_live_slot(host) and alert["live"] is True
        # The first crash alerts already (its result, exit-code); the start limit follows.
        assert alert["what"].startswith(unit + " failed (")
        journal = "\n".join(alert["journal"])
        assert "crashing with" in journal
        assert CANARY not in journal and "********" in journal
        print("alert after %.1f s" % (time.monotonic() - started))
        # The journal has it too, whatever the webhook did.
        assert CANARY not in host.check_output("journalctl --no-pager -o cat -t asgi-deploy-notify")
        assert unit in host.check_output("journalctl --no-pager -o cat -t asgi-deploy-notify")
    finally:
        socket = unit.replace(".service", ".socket")
        host.run("rm -rf %s && systemctl daemon-reload && systemctl reset-failed %s %s; systemctl start %s %s"
                 % (dropin, unit, socket, socket, unit))
    assert wait_until(lambda: host.service(unit).is_running, 30) is not None


def test_journal_retention_is_set(host):
    config = host.check_output("systemd-analyze cat-config systemd/journald.conf")
    assert "SystemMaxUse=64M" in config and "MaxRetentionSec=2week" in config
    # journald restarted after its configuration was written.
    written = int(host.check_output("stat -c %Y /etc/systemd/journald.conf.d/asgi-deploy.conf"))
    started = host.check_output("systemctl show -p ActiveEnterTimestamp --value systemd-journald")
    started_epoch = int(host.check_output("date -d %s +%%s" % _quote(started)))
    assert started_epoch >= written


def test_nginx_logs_of_the_app_rotate(host, https_port, ca_pem):
    host.run_expect([0], "logrotate --force /etc/logrotate.d/nginx")
    assert host.file("/var/log/nginx/%s.access.log.1" % APP).exists
    marker = "rotated-%d" % time.time()
    response = get_with_request_id(SERVER_NAME, https_port, ca_pem, "/?" + marker, marker)
    assert response.status == 200
    # nginx reopened its logs: the new request is in the new file.
    assert wait_until(lambda: nginx_lines_with(host, APP, marker), 5) is not None
