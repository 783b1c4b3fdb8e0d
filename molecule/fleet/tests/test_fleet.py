"""A rolling deploy (serial 1) across three app hosts behind a load balancer, under a load
from this machine; a broken release stops the roll on the first host. The app's migration
hook runs once per play (pre_activate_once), on the first host, whatever the batches; and
maintenance mode turns the whole fleet to 503 and back."""

import json
import os
import tempfile
import time

import pytest
import testinfra

from asgi_load import under_load
from asgi_probe import changed_count, https_pool, playbook_recap

testinfra_hosts = ["ansible://asgi-fleet-lb"]

SERVER_NAME = "hello.example.test"
APP_HOSTS = ["asgi-fleet-app1", "asgi-fleet-app2", "asgi-fleet-app3"]
PLAY = "PLAY [Deploy new releases of ASGI apps]"
FLAG = "/etc/asgi-deploy/maintenance/hello.on"


@pytest.fixture(scope="module")
def ca_pem(host):
    return host.file("/etc/ssl/certs/balancer.crt").content_string


@pytest.fixture(scope="module")
def apps():
    app_host = app_hosts()[APP_HOSTS[0]]
    return app_host.ansible.get_variables()["asgi_apps"]


def app_hosts():
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    return {name: testinfra.get_host("ansible://" + name, ansible_inventory=inventory) for name in APP_HOSTS}


def versions():
    """The version each app host serves, asked on the host itself."""
    answers = {}
    for name, app_host in app_hosts().items():
        body = app_host.check_output("curl -sf -H 'Host: %s' http://127.0.0.1/" % SERVER_NAME)
        answers[name] = json.loads(body)["version"]
    return answers


def rolling_deploy(apps, wheel_variable, serial="1", max_fail="0", **changes):
    changed = [dict(app, source={"type": "wheel", "path": os.environ[wheel_variable]}, **changes) for app in apps]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"asgi_apps": changed}, extra)
    return playbook_recap("asgi.deploy.deploy", "-e", "@" + extra.name, "-e", "asgi_serial=" + serial,
                          "-e", "asgi_max_fail_percentage=" + max_fail)


def migrations():
    """The hosts that ran the app's migration hook, a row each, from the database the app
    hosts share."""
    rows = app_hosts()[APP_HOSTS[1]].check_output(
        "python3 -c \"import sqlite3; print(*(host for host, in sqlite3.connect('%s').execute("
        "'SELECT host FROM migrations ORDER BY rowid')))\"" % "/var/lib/asgi-fleet-db/app.db")
    return rows.split()


def live_slots():
    return {name: app_host.check_output("readlink /srv/hello/current") for name, app_host in app_hosts().items()}


def test_fleet_serves_the_first_release(host):
    assert set(versions().values()) == {"1.0.0"}
    # The first deploy migrated once, on the first host.
    assert migrations() == [APP_HOSTS[0]]


def test_the_app_and_the_logs_see_the_client_behind_the_balancer(host, https_port, ca_pem):
    """Through the balancer (a trusted proxy of the app hosts' nginx), the app and the app
    host's nginx log name the client the balancer saw: neither the balancer itself nor
    the address the client forged."""
    marker = "/?identity=%d" % time.time_ns()
    response = https_pool(SERVER_NAME, https_port, ca_pem).request(
        "GET", marker, headers={"Host": SERVER_NAME, "X-Forwarded-For": "203.0.113.7"}, redirect=False)
    assert response.status == 200, response.data[:500]
    client = json.loads(response.data)["client"]
    seen_by_balancer = host.check_output("grep -F 'GET %s ' /var/log/nginx/access.log" % marker).split()[0]
    balancer_addresses = host.check_output("hostname -I").split()
    assert client == seen_by_balancer
    assert client != "203.0.113.7" and client not in balancer_addresses
    # The app hosts' access logs of the app are JSON, as the app's log format (json) is.
    logged = [app_host.run("grep -hF 'GET %s ' /var/log/nginx/hello.access.log" % marker).stdout.strip()
              for app_host in app_hosts().values()]
    assert [json.loads(line)["remote_addr"] for line in logged if line] == [client]


def test_a_client_cannot_forge_its_address_past_the_balancer(host):
    """Straight from another host of the network (not a trusted proxy), X-Forwarded-For
    is dropped: the app sees that host."""
    app_host = app_hosts()[APP_HOSTS[1]]
    body = json.loads(app_host.check_output(
        "curl -sf -H 'Host: %s' -H 'X-Forwarded-For: 203.0.113.7' http://%s/" % (SERVER_NAME, APP_HOSTS[0])))
    assert body["client"] in app_host.check_output("hostname -I").split()


def test_rolling_deploy_with_zero_failed_requests(https_port, ca_pem, apps):
    migrated = migrations()
    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem,
                                      lambda: rolling_deploy(apps, "ASGI_EXAMPLE_WHEEL_V2"), lead_seconds=2)
    assert code == 0, output[-3000:]
    # One host at a time.
    assert output.count(PLAY) == len(APP_HOSTS)
    assert load.failures == []
    assert load.versions["1.0.0"] > 0 and load.versions["2.0.0"] > 0
    assert set(versions().values()) == {"2.0.0"}
    # Once per play, not once per batch.
    assert migrations() == migrated + [APP_HOSTS[0]]


def test_every_host_at_once_migrates_once_before_any_host_switches(host, apps):
    """serial 100%: all three hosts switch (a changed setting), the hook runs on one."""
    before, migrated = live_slots(), migrations()
    code, output = rolling_deploy(apps, "ASGI_EXAMPLE_WHEEL_V2", serial="100%", env={"FLEET_SETTING": "2"})
    assert code == 0, output[-3000:]
    assert output.count(PLAY) == 1
    after = live_slots()
    assert all(after[name] != before[name] for name in APP_HOSTS), (before, after)
    assert migrations() == migrated + [APP_HOSTS[0]]
    # The once phase ran before the first host's switch started.
    assert output.index("Run the hook command, for every host of the play") < output.index(
        "Point the idle slot at the release")


def test_broken_release_stops_the_roll_after_the_first_host(https_port, ca_pem, apps):
    migrated = migrations()
    load, (code, output) = under_load(SERVER_NAME, https_port, ca_pem,
                                      lambda: rolling_deploy(apps, "ASGI_EXAMPLE_WHEEL_BROKEN"), lead_seconds=2)
    assert code != 0
    assert "was not activated" in output
    assert output.count(PLAY) == 1
    assert load.failures == []
    assert versions() == {name: "2.0.0" for name in APP_HOSTS}
    # The other hosts were never touched: the broken release was not even built there.
    for name, app_host in app_hosts().items():
        built = app_host.check_output("ls -1 /srv/hello/releases | wc -l")
        assert int(built) == (3 if name == APP_HOSTS[0] else 2), name
    # The first host migrated before its broken release failed its health gate.
    assert migrations() == migrated + [APP_HOSTS[0]]


def test_a_failed_migration_on_the_first_host_switches_no_host(host, apps):
    """The database refuses the first host's migration: the other hosts, which the play
    lets go on (max_fail_percentage 50), do not switch either."""
    database = app_hosts()[APP_HOSTS[1]]
    before, migrated = live_slots(), migrations()
    database.check_output("chmod 0444 /var/lib/asgi-fleet-db/app.db")
    try:
        code, output = rolling_deploy(apps, "ASGI_EXAMPLE_WHEEL_V2", serial="100%", env={"FLEET_SETTING": "3"},
                                      max_fail="50")
    finally:
        database.check_output("chmod 0666 /var/lib/asgi-fleet-db/app.db")
    assert code != 0
    assert "pre_activate of hello failed on %s, which runs it once" % APP_HOSTS[0] in output, output[-3000:]
    for name in APP_HOSTS[1:]:
        assert "so %s does not switch" % name in output, output[-3000:]
    assert live_slots() == before
    assert migrations() == migrated
    assert set(versions().values()) == {"2.0.0"}


def test_maintenance_mode_turns_the_whole_fleet_to_503_and_back(https_port, ca_pem):
    code, output = playbook_recap("asgi.deploy.maintenance", "-e", "state=on")
    assert code == 0, output[-3000:]
    assert all(app_host.file(FLAG).exists for app_host in app_hosts().values())
    pool = https_pool(SERVER_NAME, https_port, ca_pem)
    # The balancer spreads the requests over the three hosts: each of them answers 503.
    answers = [pool.request("GET", "/", headers={"Host": SERVER_NAME}) for _ in range(12)]
    assert {(answer.status, answer.headers.get("Retry-After")) for answer in answers} == {(503, "300")}
    for app_host in app_hosts().values():
        health = app_host.run("curl -s -w ' %%{http_code}' -H 'Host: %s' http://127.0.0.1/healthz"
                              % SERVER_NAME)
        assert health.stdout == "maintenance\n 503"

    code, output = playbook_recap("asgi.deploy.maintenance", "-e", "state=off")
    assert code == 0, output[-3000:]
    assert changed_count(output) == len(APP_HOSTS)
    assert not any(app_host.file(FLAG).exists for app_host in app_hosts().values())
    answers = [pool.request("GET", "/", headers={"Host": SERVER_NAME}) for _ in range(12)]
    assert {answer.status for answer in answers} == {200}
    assert set(versions().values()) == {"2.0.0"}
