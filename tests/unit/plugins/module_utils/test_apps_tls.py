# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The TLS and nginx parts of asgi_apps: certificate modes, where each mode's certificate
lives, and the per-app nginx settings nginx itself cannot check before a deploy."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import (
    AppSpecError,
    normalize_apps,
)

GOOD = {
    "name": "hello",
    "module": "hello_asgi.main:app",
    "server_names": ["hello.example.test", "www.hello.example.test"],
    "source": {"type": "wheel", "path": "dist/hello.whl"},
}


def record(**changes):
    app = copy.deepcopy(GOOD)
    app.update(changes)
    return normalize_apps([app])[0]


@pytest.mark.parametrize("mode,expected", [
    pytest.param("off", "off", id="quoted-off"),
    # YAML reads an unquoted `off` as false: it means plain HTTP too.
    pytest.param(False, "off", id="unquoted-off"),
    pytest.param("selfsigned", "selfsigned", id="selfsigned"),
    pytest.param("acme", "acme", id="acme"),
])
def test_tls_mode(mode, expected):
    assert record(tls={"mode": mode})["tls"]["mode"] == expected


def test_default_mode_is_selfsigned_under_etc_ssl():
    app = record()
    assert app["tls"]["mode"] == "selfsigned"
    assert app["cert_path"] == "/etc/ssl/asgi-deploy/hello.crt"
    assert app["key_path"] == "/etc/ssl/asgi-deploy/private/hello.key"


def test_acme_certificate_is_dehydrated_s():
    app = record(tls={"mode": "acme"})
    assert app["cert_path"] == "/var/lib/dehydrated/certs/hello/fullchain.pem"
    assert app["key_path"] == "/var/lib/dehydrated/certs/hello/privkey.pem"


def test_provided_on_the_host_is_used_in_place():
    app = record(tls={"mode": "provided", "cert_path": "/etc/pki/hello.pem", "key_path": "/etc/pki/hello.key"})
    assert (app["cert_path"], app["key_path"]) == ("/etc/pki/hello.pem", "/etc/pki/hello.key")
    assert app["tls"]["cert_src"] is None


def test_provided_from_the_controller_is_installed_under_etc_ssl(tmp_path):
    cert, key = tmp_path / "hello.crt", tmp_path / "hello.key"
    cert.write_text("cert")
    key.write_text("key")
    app = record(tls={"mode": "provided", "cert_src": str(cert), "key_src": str(key)})
    assert app["cert_path"] == "/etc/ssl/asgi-deploy/hello.crt"
    assert app["tls"]["key_src"] == str(key)


def test_nginx_settings_reach_the_record():
    settings = {"stream_paths": ["/events"], "static": {"/static/": "/srv/hello/static"},
                "rate_limit": {"rate": "10r/s"}, "snippet": "gzip off;"}
    assert record(nginx=settings)["nginx"] == settings
    assert record()["nginx"] == {}


@pytest.mark.parametrize("changes,field", [
    pytest.param({"tls": {"mode": "letsencrypt"}}, "tls.mode", id="unknown-mode"),
    pytest.param({"tls": {"mode": True}}, "tls.mode", id="boolean-on"),
    pytest.param({"tls": {"mode": "provided"}}, "tls", id="provided-without-files"),
    pytest.param({"tls": {"mode": "provided", "cert_src": "/a", "cert_path": "/b"}}, "tls", id="provided-both-ways"),
    pytest.param({"tls": {"mode": "provided", "cert_src": "/nonexistent/hello.crt", "key_src": "/nonexistent/k"}},
                 "tls.cert_src", id="controller-file-missing"),
    pytest.param({"tls": {"mode": "provided", "cert_path": "/etc/pki/hello.pem"}}, "tls.key_path", id="host-key-missing"),
    pytest.param({"tls": {"mode": "provided", "cert_path": "certs/hello.pem", "key_path": "/k"}},
                 "tls.cert_path", id="host-path-relative"),
    pytest.param({"tls": {"mode": "acme"}, "server_names": ["*.hello.example.test"]}, "server_names",
                 id="acme-wildcard"),
    pytest.param({"tls": {"mode": "acme"}, "server_names": []}, "server_names", id="acme-without-names"),
    pytest.param({"nginx": {"static": {"static/": "/srv/s"}}}, "nginx.static", id="static-url-relative"),
    pytest.param({"nginx": {"static": {"/static": "/srv/s"}}}, "nginx.static", id="static-url-without-slash"),
    pytest.param({"nginx": {"static": {"/static/": "../s"}}}, "nginx.static./static/", id="static-dir-outside-the-release"),
    pytest.param({"nginx": {"stream_paths": ["events"]}}, "nginx.stream_paths", id="stream-path-relative"),
    pytest.param({"nginx": {"rate_limit": {"rate": "10/s"}}}, "nginx.rate_limit.rate", id="rate-without-r"),
])
def test_bad_tls_or_nginx_settings_are_rejected(changes, field):
    with pytest.raises(AppSpecError) as error:
        record(**changes)
    assert str(error.value).startswith("asgi_apps[hello].%s:" % field)
