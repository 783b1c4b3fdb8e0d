"""A WSGI app through the same release switch as ASGI ones: the Django example with its
migrations, its static files from the release and its admin over HTTPS, sync workers sized
by the module, then a switch under load to a release on gthread workers with zero failed
requests."""

import ast
import json
import math
import os
import re
import tempfile
import time

import pytest

from asgi_host import live_unit, unit_property
from asgi_load import MIXED, Load
from asgi_probe import changed_count, https_get, https_json, playbook_recap

DJANGO = "django.example.test"
# The bar: a load of at least 20 s around the switch.
MIN_LOAD_SECONDS = 20
# Requests per second, all clients together: one every 20 ms still finds a gap in the
# switch and leaves the CPU to the deploy it watches (a Django request costs its sync
# workers far more than a FastAPI one, which the other scenarios send 200 a second of).
DJANGO_RATE = 50


@pytest.fixture(scope="module")
def apps(host):
    return host.ansible.get_variables()["asgi_apps"]


def run_playbook(name, apps, **overrides):
    """asgi.deploy.<name> against the scenario's host, the app's keys replaced by `overrides`."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump({"asgi_apps": [dict(app, **overrides) for app in apps]}, extra)
    return playbook_recap("asgi.deploy." + name, "-e", "@" + extra.name)


def gunicorn_setting(host, name):
    """A setting of the gunicorn.conf.py the live slot runs with."""
    slot = live_unit(host, "hello-django").split("@")[1].split(".")[0]
    text = host.file("/etc/asgi-deploy/hello-django/slots/%s/gunicorn.conf.py" % slot).content_string
    return ast.literal_eval(re.search(r"^%s = (.*)$" % name, text, re.M).group(1))


def worker_count(host):
    main = unit_property(host, live_unit(host, "hello-django"), "MainPID")
    return len(host.check_output("pgrep -P %s" % main).split())


def test_check_mode_reports_no_change(host):
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    code, output = playbook_recap(playbook, "--check")
    assert code == 0, output[-3000:]
    assert changed_count(output) == 0, output[-3000:]


def test_admin_login_page_answers_over_https_on_every_name(ca_pem, https_port):
    for name in (DJANGO, "www." + DJANGO):
        response = https_get(name, https_port, ca_pem, "/admin/login/")
        assert response.status == 200, response.data[:300]
        page = response.data.decode()
        assert "Django administration" in page
        assert 'name="csrfmiddlewaretoken"' in page
        # The page links the admin's stylesheet below STATIC_URL.
        assert "/static/admin/css/base.css" in page


def test_static_files_are_collected_into_the_release_and_served_by_nginx(host, ca_pem, https_port):
    release = host.check_output("readlink -f /srv/hello-django/current")
    collected = host.file(release + "/static/admin/css/base.css")
    assert collected.exists and collected.user == "root" and collected.mode == 0o644
    response = https_get(DJANGO, https_port, ca_pem, "/static/admin/css/base.css")
    assert response.status == 200
    assert response.data == collected.content
    # nginx's static location (DEBUG=False Django serves no static files at all).
    assert response.headers["Cache-Control"] == "max-age=604800"
    assert https_get(DJANGO, https_port, ca_pem, "/static/admin/css/none.css").status == 404


def test_migrations_ran_through_pre_activate_before_the_release_started(host, ca_pem, https_port):
    answer = https_json(DJANGO, https_port, ca_pem)
    assert answer["app"] == "hello-django" and answer["version"] == "1.0.0"
    # The app's own table exists (/ counts its rows), made by the app's user.
    assert answer["greetings"] == 0 and answer["scheme"] == "https"
    database = host.file("/srv/hello-django/shared/db.sqlite3")
    assert database.user == "hello-django"
    query = "select name from django_migrations where app = 'hello_django'"
    applied = host.check_output("python3 -c %s", "import sqlite3; print(sqlite3.connect(%r).execute(%r).fetchall())"
                                % (database.path, query))
    assert applied == "[('0001_initial',)]"


def test_sync_workers_sized_two_per_cpu_plus_one(host, ca_pem, https_port):
    assert gunicorn_setting(host, "worker_class") == "sync"
    assert https_json(DJANGO, https_port, ca_pem)["thread"] == "MainThread"
    cpus = int(host.check_output("nproc"))
    workers = gunicorn_setting(host, "workers")
    assert workers == min(2 * math.ceil(cpus) + 1, 16)
    assert worker_count(host) == workers


def test_switch_under_load_to_gthread_with_zero_failed_requests(host, ca_pem, https_port, apps):
    before = host.check_output("readlink -f /srv/hello-django/current")
    with Load(DJANGO, https_port, ca_pem, connections=4, methods=MIXED, rate=DJANGO_RATE) as load:
        time.sleep(3)
        code, output = run_playbook("deploy", apps, worker_class="gthread", threads=2,
                                    source={"type": "wheel", "path": os.environ["ASGI_DJANGO_WHEEL_V2"]})
        time.sleep(max(3, MIN_LOAD_SECONDS - (time.monotonic() - load.started)))
    print(load.summary())
    assert code == 0, output[-3000:]
    assert load.failures == []
    assert load.versions["1.0.0"] > 0 and load.versions["2.0.0"] > 0
    answer = https_json(DJANGO, https_port, ca_pem)
    # Answered by a worker's thread.
    assert answer["version"] == "2.0.0" and answer["thread"] != "MainThread"
    assert (gunicorn_setting(host, "worker_class"), gunicorn_setting(host, "threads")) == ("gthread", 2)
    assert worker_count(host) == gunicorn_setting(host, "workers")
    after = host.check_output("readlink -f /srv/hello-django/current")
    assert after != before
    # The new release has its own collected files, which nginx now serves.
    assert host.file(after + "/static/admin/css/base.css").exists
    assert https_get(DJANGO, https_port, ca_pem, "/static/admin/css/base.css").status == 200


def test_a_failing_build_command_keeps_the_live_release(host, ca_pem, https_port, apps):
    live = host.check_output("readlink -f /srv/hello-django/current")
    code, output = run_playbook("deploy", apps, build_command="echo collectstatic-failed >&2; exit 3")
    assert code != 0
    assert "did not build" in output and "collectstatic-failed" in output
    assert host.check_output("readlink -f /srv/hello-django/current") == live
    assert https_json(DJANGO, https_port, ca_pem)["version"] == "2.0.0"
