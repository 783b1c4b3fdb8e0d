"""Maintenance mode (asgi.deploy.maintenance), after test_wsgi.py left release 2.0.0 live:
every name of the app answers 503 with its page and Retry-After, its health path says so,
another app is untouched, a deploy (a real switch) keeps it on, and only `off` ends it."""

import os
import tempfile

from asgi_probe import changed_count, https_get, https_json, playbook_recap

DJANGO_NAMES = ("django.example.test", "www.django.example.test")
FLAG = "/etc/asgi-deploy/maintenance/hello-django.on"


def maintenance(*args):
    return playbook_recap("asgi.deploy.maintenance", *args)


def assert_in_maintenance(ca_pem, https_port, page_text):
    for name in DJANGO_NAMES:
        for path in ("/", "/admin/login/", "/static/admin/css/base.css", "/echo"):
            response = https_get(name, https_port, ca_pem, path)
            assert response.status == 503, (name, path, response.status)
            assert response.headers["Retry-After"] == "300"
            assert response.headers["Content-Type"].startswith("text/html")
            assert page_text in response.data.decode()
            # The security headers stay on the maintenance answers.
            assert "Strict-Transport-Security" in response.headers
        health = https_get(name, https_port, ca_pem, "/healthz")
        assert (health.status, health.data) == (503, b"maintenance\n")
        assert health.headers["Retry-After"] == "300"


def test_bad_input_fails_and_changes_nothing(host):
    for args, message in ((("-e", "state=maybe"), "state: 'maybe' is not on or off"),
                          (("-e", "state=on", "-e", "apps=hello-django,blog"), "apps: blog is not an app of this host"),
                          ((), "state: None is not on or off")):
        code, output = maintenance(*args)
        assert code != 0 and message in output, output[-2000:]
    assert not host.file(FLAG).exists


def test_maintenance_on_answers_503_on_every_name_and_leaves_other_apps(host, ca_pem, plain_ca_pem, https_port):
    code, output = maintenance("-e", "state=on", "-e", "apps=hello-django")
    assert code == 0, output[-3000:]
    assert host.file(FLAG).exists
    assert_in_maintenance(ca_pem, https_port, "hello-django is being worked on")
    # The other app answers, without a Retry-After.
    plain = https_get("plain.example.test", https_port, plain_ca_pem, "/")
    assert plain.status == 200 and "Retry-After" not in plain.headers
    # The app itself keeps running; nginx was not reloaded.
    assert host.service("asgi-hello-django@%s.service" % host.check_output(
        "readlink /srv/hello-django/current").rsplit("/", 1)[-1]).is_running
    code, output = maintenance("-e", "state=on", "-e", "apps=hello-django")
    assert code == 0 and changed_count(output) == 0, output[-3000:]


def test_maintenance_survives_a_deploy_that_switches_the_release(host, ca_pem, https_port):
    live = host.check_output("readlink -f /srv/hello-django/current")
    code, output = playbook_recap(os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml"))
    assert code == 0, output[-3000:]
    # The inventory's release (1.0.0) went live again through its own health gate.
    assert host.check_output("readlink -f /srv/hello-django/current") != live
    assert_in_maintenance(ca_pem, https_port, "hello-django is being worked on")


def test_the_operator_page_replaces_the_collections_for_every_app(ca_pem, plain_ca_pem, https_port):
    with tempfile.NamedTemporaryFile("w", suffix=".html.j2", delete=False) as page:
        page.write("<html><body><p>{{ app.name }} is moving to a new database, back at 14:00.</p></body></html>\n")
    # No app named: every app of the host.
    code, output = maintenance("-e", "state=on", "-e", "nginx_maintenance_page=" + page.name)
    os.unlink(page.name)
    assert code == 0, output[-3000:]
    assert_in_maintenance(ca_pem, https_port, "hello-django is moving to a new database")
    plain = https_get("plain.example.test", https_port, plain_ca_pem, "/")
    assert plain.status == 503 and "plain is moving to a new database" in plain.data.decode()


def test_maintenance_off_brings_every_app_back(host, ca_pem, plain_ca_pem, https_port):
    code, output = maintenance("-e", "state=off")
    assert code == 0, output[-3000:]
    assert not host.file(FLAG).exists
    for name in DJANGO_NAMES:
        response = https_get(name, https_port, ca_pem, "/")
        assert response.status == 200 and "Retry-After" not in response.headers
    assert https_json(DJANGO_NAMES[0], https_port, ca_pem)["version"] == "1.0.0"
    assert https_get("plain.example.test", https_port, plain_ca_pem, "/").status == 200
