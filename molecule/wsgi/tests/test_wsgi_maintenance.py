"""Maintenance mode (asgi.deploy.maintenance), after test_wsgi.py left release 2.0.0 live:
every name of the app answers 503 with its page and Retry-After, its health path says so,
a deploy (a real switch) keeps it on, and only `off` ends it."""

import os
import tempfile

from asgi_probe import changed_count, https_get, https_json, playbook_recap

DJANGO_NAMES = ("django.example.test", "www.django.example.test")
FLAG = "/etc/asgi-deploy/maintenance/hello-django.on"


def maintenance(*args):
    return playbook_recap("asgi.deploy.maintenance", *args)


def assert_in_maintenance(ca_pem, https_port, page_text):
    for name in DJANGO_NAMES:
        for path in ("/", "/admin/login/", "/static/admin/css/base.css", "/_asgi_deploy/metrics"):
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
                          (("-e", "state=on", "-e", "apps=hello-django,blog"),
                           "apps: blog is not an app of this host (its apps: hello-django)")):
        code, output = maintenance(*args)
        assert code != 0 and message in output, output[-2000:]
        assert changed_count(output) == 0
    assert not host.file(FLAG).exists


def test_maintenance_on_answers_503_on_every_name(host, ca_pem, https_port):
    code, output = maintenance("-e", "state=on", "-e", "apps=hello-django")
    assert code == 0, output[-3000:]
    assert host.file(FLAG).exists
    assert_in_maintenance(ca_pem, https_port, "hello-django is being worked on")
    # The app itself keeps running, healthy on its own socket (the health watch's view).
    assert host.service(host.check_output("systemctl list-units --plain --no-legend --state=running "
                                          "'asgi-hello-django@*.service'").split()[0]).is_running


def test_maintenance_survives_a_deploy_that_switches_the_release(host, ca_pem, https_port):
    live = host.check_output("readlink -f /srv/hello-django/current")
    # The inventory's release, 1.0.0 on sync workers, goes live again through its own health gate.
    code, output = playbook_recap("asgi.deploy.deploy")
    assert code == 0, output[-3000:]
    assert host.check_output("readlink -f /srv/hello-django/current") != live
    assert_in_maintenance(ca_pem, https_port, "hello-django is being worked on")


def test_the_operators_page_replaces_the_collections(host, ca_pem, https_port):
    with tempfile.NamedTemporaryFile("w", suffix=".html.j2", delete=False) as page:
        page.write("<html><body><p>{{ app.name }} is moving to a new database, back at 14:00.</p></body></html>\n")
    # No app named: every app of the host.
    code, output = maintenance("-e", "state=on", "-e", "nginx_maintenance_page=" + page.name)
    os.unlink(page.name)
    assert code == 0, output[-3000:]
    # Only the page changed: the flag was on already.
    assert changed_count(output) == 1, output[-3000:]
    assert_in_maintenance(ca_pem, https_port, "hello-django is moving to a new database")


def test_maintenance_off_brings_the_app_back(host, ca_pem, https_port):
    code, output = maintenance("-e", "state=off")
    assert code == 0, output[-3000:]
    assert not host.file(FLAG).exists
    for name in DJANGO_NAMES:
        response = https_get(name, https_port, ca_pem, "/")
        assert response.status == 200 and "Retry-After" not in response.headers
    assert https_json(DJANGO_NAMES[0], https_port, ca_pem)["version"] == "1.0.0"
