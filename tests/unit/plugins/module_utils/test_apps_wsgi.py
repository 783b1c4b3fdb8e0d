# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSGI apps: the interface, its worker classes and threads agree; a build command and the
static files nginx serves from inside the release."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import AppSpecError, normalize_apps

DJANGO = {
    "name": "shop",
    "interface": "wsgi",
    "module": "shop.wsgi:application",
    "server_names": ["shop.example.test"],
    "source": {"type": "wheel", "path": "dist/shop-1.0-py3-none-any.whl"},
}
SETTINGS = {"gunicorn_wsgi_worker_class": "sync", "gunicorn_threads": 4}


def app(**changes):
    result = copy.deepcopy(DJANGO)
    result.update(changes)
    return dict((key, value) for key, value in result.items() if value is not None)


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


BAD = [
    case("interface-unknown", app(interface="rsgi"), {}, "interface: 'rsgi' is not one of asgi, wsgi"),
    case("interface-boolean", app(interface=True), {}, "interface: True is not one of"),
    case("wsgi-with-uvicorn-worker", app(worker_class="uvicorn_worker.UvicornWorker"), {},
         "worker_class: 'uvicorn_worker.UvicornWorker' does not call a WSGI app; with interface wsgi use one of "
         "sync, gthread"),
    case("wsgi-with-asgi-worker", app(worker_class="asgi"), {}, "worker_class: 'asgi' does not call a WSGI app"),
    case("asgi-with-sync-worker", app(interface=None, worker_class="sync"), {},
         "worker_class: 'sync' does not call an ASGI app; with interface asgi use one of uvicorn_worker.UvicornWorker"),
    case("asgi-explicit-with-gthread", app(interface="asgi", worker_class="gthread"), {},
         "worker_class: 'gthread' does not call an ASGI app"),
    case("wsgi-worker-unknown", app(worker_class="gevent"), {}, "worker_class: 'gevent' does not call a WSGI app"),
    case("threads-zero", app(worker_class="gthread", threads=0), {}, "threads: 0 is not a thread count"),
    case("threads-text", app(worker_class="gthread", threads="4"), {}, "threads: '4' is not a thread count"),
    case("threads-boolean", app(worker_class="gthread", threads=True), {}, "threads: True is not a thread count"),
    case("threads-with-sync", app(worker_class="sync", threads=4), {}, "threads: threads are gunicorn's gthread"),
    case("threads-with-default-sync", app(threads=4), SETTINGS, "threads: threads are gunicorn's gthread worker's; "
         "this app runs sync"),
    case("threads-with-asgi", app(interface=None, threads=2), {}, "threads: threads are gunicorn's gthread worker's; "
         "this app runs an ASGI worker"),
    case("build-command-empty", app(build_command=" "), {}, "build_command: expected a shell command"),
    case("build-command-list", app(build_command=["collectstatic"]), {}, "build_command: expected a shell command"),
    case("static-dotdot", app(nginx={"static": {"/static/": "../shared"}}), {}, "nginx.static./static/:"),
    case("static-dot", app(nginx={"static": {"/static/": "."}}), {}, "nginx.static./static/:"),
    case("static-inner-dotdot", app(nginx={"static": {"/static/": "static/../../x"}}), {}, "nginx.static./static/:"),
    case("static-trailing-slash", app(nginx={"static": {"/static/": "static/"}}), {}, "nginx.static./static/:"),
    case("static-blank", app(nginx={"static": {"/static/": "my static"}}), {}, "nginx.static./static/:"),
    case("static-variable", app(nginx={"static": {"/static/": "$x"}}), {}, "nginx.static./static/:"),
]


@pytest.mark.parametrize("bad_app,settings,message", BAD)
def test_bad_wsgi_input_is_rejected_naming_the_field(bad_app, settings, message):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([bad_app], settings=settings)
    assert str(error.value).startswith("asgi_apps[shop].%s" % message), str(error.value)


@pytest.mark.parametrize("settings,threads,message", [
    case("zero", {"gunicorn_threads": 0}, None, "gunicorn_threads: 0 is not a thread count"),
    case("text", {"gunicorn_threads": "many"}, None, "gunicorn_threads: 'many' is not a thread count"),
])
def test_bad_thread_setting_is_rejected(settings, threads, message):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app()], settings=settings)
    assert str(error.value).startswith(message), str(error.value)


@pytest.mark.parametrize("good_app,settings,record", [
    case("wsgi-default-class", app(), SETTINGS, {"interface": "wsgi", "worker_class": None, "threads": None}),
    case("wsgi-sync", app(worker_class="sync"), {}, {"interface": "wsgi", "worker_class": "sync", "threads": None}),
    case("wsgi-gthread-threads", app(worker_class="gthread", threads=8), SETTINGS,
         {"interface": "wsgi", "worker_class": "gthread", "threads": 8}),
    case("wsgi-default-gthread-threads", app(threads=2), dict(SETTINGS, gunicorn_wsgi_worker_class="gthread"),
         {"interface": "wsgi", "worker_class": None, "threads": 2}),
    # Without the gunicorn role in the play its default class is unknown: not checked.
    case("wsgi-threads-role-unknown", app(threads=2), {}, {"interface": "wsgi", "threads": 2}),
    case("asgi-by-default", app(interface=None, module="shop.main:app"), {},
         {"interface": "asgi", "worker_class": None, "threads": None}),
    case("asgi-with-asgi-worker", app(interface="asgi", worker_class="asgi"), {},
         {"interface": "asgi", "worker_class": "asgi"}),
    case("build-command", app(build_command="STATIC_ROOT=$PWD/static django-admin collectstatic --noinput"), {},
         {"build_command": "STATIC_ROOT=$PWD/static django-admin collectstatic --noinput"}),
    case("no-build-command", app(), {}, {"build_command": None, "static": {}}),
    case("static-in-release", app(nginx={"static": {"/static/": "static", "/media/": "/srv/shop/shared/media",
                                                    "/assets/": "build/assets"}}), {},
         {"static": {"/static/": "/srv/shop/current/static", "/media/": "/srv/shop/shared/media",
                     "/assets/": "/srv/shop/current/build/assets"}}),
])
def test_good_wsgi_input_gives_the_record(good_app, settings, record):
    result = normalize_apps([good_app], settings=settings)[0]
    assert dict((key, result[key]) for key in record) == record


def test_wsgi_and_asgi_apps_share_a_host():
    records = normalize_apps([app(), app(name="api", interface="asgi", module="api.main:app",
                                         server_names=["api.example.test"])], settings=SETTINGS)
    assert [record["interface"] for record in records] == ["wsgi", "asgi"]
