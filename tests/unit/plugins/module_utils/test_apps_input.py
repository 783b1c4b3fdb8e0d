# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every field that passes into nginx, systemd, gunicorn, pip, git or a shell has a type
and a pattern; the fields that depend on each other or on a role's settings are checked
together. Each bad input fails naming the field; no message repeats an environment value."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import (
    AppSpecError,
    health_host,
    normalize_apps,
    redact_url,
)
from ansible_collections.asgi.deploy.plugins.module_utils._redact import redact

CANARY = "canary-5e1d"
GOOD = {
    "name": "hello",
    "module": "hello_asgi.main:app",
    "server_names": ["hello.example.test"],
    "source": {"type": "wheel", "path": "dist/hello-1.0-py3-none-any.whl"},
}


def app(**changes):
    result = copy.deepcopy(GOOD)
    result.update(changes)
    return result


def nginx(**settings):
    return app(nginx=settings)


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


def git(repo, ref="v1"):
    return app(source={"type": "git", "repo": repo, "ref": ref})


def pypi(spec, **urls):
    return app(source=dict(urls, type="pypi", spec=spec))


BAD = [
    # nginx: headers, sizes, paths, locations.
    case("header-value-trailing-newline", nginx(headers={"X-A": "x\n"}), "nginx.headers.X-A"),
    case("header-value-crlf", nginx(headers={"X-A": "x\r\nSet-Cookie: a=b"}), "nginx.headers.X-A"),
    case("header-value-variable", nginx(headers={"X-A": "$remote_addr"}), "nginx.headers.X-A"),
    case("header-name-blank", nginx(headers={"X A": "x"}), "nginx.headers"),
    case("header-name-colon", nginx(headers={"X-A:": "x"}), "nginx.headers"),
    case("header-name-injects", nginx(headers={"X-A x; return 200": "x"}), "nginx.headers"),
    case("header-value-mapping", nginx(headers={"X-A": {"a": 1}}), "nginx.headers.X-A"),
    case("body-size-directive", nginx(client_max_body_size="10m; return 200 x"), "nginx.client_max_body_size"),
    case("body-size-unit", nginx(client_max_body_size="10mb"), "nginx.client_max_body_size"),
    case("static-dir-variable", nginx(static={"/static/": "/srv/$http_x"}), "nginx.static./static/"),
    case("static-dir-semicolon", nginx(static={"/static/": "/srv/s;"}), "nginx.static./static/"),
    case("static-dir-quote", nginx(static={"/static/": '/srv/s"'}), "nginx.static./static/"),
    case("static-path-brace", nginx(static={"/s{/": "/srv/s"}), "nginx.static"),
    case("static-on-root", nginx(static={"/": "/srv/s"}), "nginx.static./"),
    case("stream-on-root", nginx(stream_paths=["/"]), "nginx.stream_paths"),
    case("stream-and-static-same", nginx(static={"/s/": "/srv/s"}, stream_paths=["/s/"]), "nginx.stream_paths"),
    case("stream-twice", nginx(stream_paths=["/events", "/events"]), "nginx.stream_paths"),
    case("stream-path-semicolon", nginx(stream_paths=["/e;return"]), "nginx.stream_paths"),
    case("stream-paths-string", nginx(stream_paths="/events"), "nginx.stream_paths"),
    case("burst-negative", nginx(rate_limit={"rate": "1r/s", "burst": -1}), "nginx.rate_limit.burst"),
    case("read-timeout-zero", nginx(proxy_read_timeout=0), "nginx.proxy_read_timeout"),
    case("hsts-preload-selfsigned", nginx(hsts_preload=True), "nginx.hsts_preload"),
    case("hsts-preload-plain-http", app(tls={"mode": "off"}, nginx={"hsts_preload": True}), "nginx.hsts_preload"),
    # Names.
    case("server-names-string", app(server_names="hello.example.test"), "server_names"),
    case("server-name-twice-in-app", app(server_names=["a.example.test", "a.example.test"]), "server_names"),
    case("release-dotdot", app(release=".."), "release"),
    case("release-slash", app(release="r/1"), "release"),
    # systemd.
    case("override-trailing-backslash", app(systemd={"overrides": {"ProtectHome": "no\\"}}),
         "systemd.overrides.ProtectHome"),
    case("override-user-root", app(systemd={"overrides": {"User": "root"}}), "systemd.overrides"),
    case("override-execstart", app(systemd={"overrides": {"ExecStartPre": "/bin/sh"}}), "systemd.overrides"),
    case("override-environment", app(systemd={"overrides": {"Environment": "A=1"}}), "systemd.overrides"),
    case("override-list-null", app(systemd={"overrides": {"SystemCallFilter": [None]}}),
         "systemd.overrides.SystemCallFilter"),
    case("read-write-path-percent", app(systemd={"read_write_paths": ["/srv/%i"]}), "systemd.read_write_paths"),
    case("workers-above-max", app(workers=17), "workers"),
    # Sources: options smuggled into git and pip, overwritten files.
    case("git-repo-option", git("--upload-pack=touch /tmp/owned"), "source.repo"),
    case("git-repo-dash", git("-u/bin/sh"), "source.repo"),
    case("git-repo-ext-transport", git("ext::sh -c touch% /tmp/owned"), "source.repo"),
    case("git-repo-blank", git("https://git.example.test/a b.git"), "source.repo"),
    case("git-ref-option", git("https://git.example.test/a.git", ref="--upload-pack=x"), "source.ref"),
    case("git-ref-dotdot", git("https://git.example.test/a.git", ref="a..b"), "source.ref"),
    case("pypi-spec-option", pypi("--index-url=https://evil.example.test/simple"), "source.spec"),
    case("pypi-spec-editable", pypi("-e git+https://x"), "source.spec"),
    case("pypi-spec-blank-option", pypi("shop ; --pre"), "source.spec"),
    case("index-url-not-http", pypi("shop", index_url="file:///etc"), "source.index_url"),
    case("extra-index-url-blank", pypi("shop", extra_index_url="https://a.test/simple --pre"), "source.extra_index_url"),
    case("wheel-not-a-wheel", app(source={"type": "wheel", "path": "dist/hello.tar.gz"}), "source.path"),
    case("wheel-name-blank", app(source={"type": "wheel", "path": "dist/my app.whl"}), "source.path"),
    case("requirements-and-constraints-same-name", app(requirements="a/reqs.txt", constraints="b/reqs.txt"),
         "constraints"),
    case("requirements-same-name-as-wheel", app(requirements="x/hello-1.0-py3-none-any.whl"), "requirements"),
    # The environment: values that would be mangled on the way.
    case("env-value-null", app(env={"A": None}), "env.A"),
    case("env-value-float", app(env={"VERSION": 1.1}), "env.VERSION"),
    case("env-value-boolean", app(env={"DEBUG": True}), "env.DEBUG"),
    case("env-value-nul", app(env={"A": "x\x00y"}), "env.A"),
    case("env-value-list", app(env={"A": ["x"]}), "env.A"),
    case("env-in-env-and-secret", app(env={"A": "1"}, secret_env={"A": "2"}), "secret_env.A"),
    case("pre-activate-empty", app(pre_activate="  "), "pre_activate"),
    case("pre-activate-once-no-hook", app(pre_activate_once=True), "pre_activate_once"),
    case("pre-activate-once-text", app(pre_activate="migrate", pre_activate_once="yes"), "pre_activate_once"),
    # TLS paths written into nginx.
    case("cert-path-variable", app(tls={"mode": "provided", "cert_path": "/etc/ssl/$x.pem", "key_path": "/etc/k"}),
         "tls.cert_path"),
]


@pytest.mark.parametrize("bad_app,field", BAD)
def test_bad_input_is_rejected_naming_the_field(bad_app, field):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([bad_app], settings={"gunicorn_max_workers": 16})
    assert str(error.value).startswith("asgi_apps[hello].%s:" % field), str(error.value)


BAD_SETTINGS = [
    case("root-under-home", {"root": "/home/apps"}, {}, "asgi_root"),
    case("root-under-tmp", {"root": "/tmp/srv"}, {}, "asgi_root"),
    case("root-under-run", {"root": "/run/apps"}, {}, "asgi_root"),
    case("root-dollar", {"root": "/srv/$x"}, {}, "asgi_root"),
    case("config-under-tmp", {"config_dir": "/var/tmp/asgi"}, {}, "asgi_config_dir"),
    case("unit-prefix-empty", {"unit_prefix": ""}, {}, "asgi_unit_prefix"),
    case("unit-prefix-systemd", {"unit_prefix": "systemd-"}, {}, "asgi_unit_prefix"),
    case("unit-prefix-no-dash", {"unit_prefix": "asgi"}, {}, "asgi_unit_prefix"),
    case("min-above-max", {}, {"gunicorn_min_workers": 5, "gunicorn_max_workers": 4}, "gunicorn_min_workers"),
    case("role-override-user", {}, {"gunicorn_systemd_overrides": {"User": "root"}}, "gunicorn_systemd_overrides"),
    case("role-override-backslash", {}, {"gunicorn_systemd_overrides": {"UMask": "0027\\"}},
         "gunicorn_systemd_overrides.UMask"),
    case("extra-setting-code", {}, {"gunicorn_extra_settings": {"x; import os": 1}}, "gunicorn_extra_settings"),
    case("extra-setting-keyword", {}, {"gunicorn_extra_settings": {"import": 1}}, "gunicorn_extra_settings"),
    case("extra-setting-reserved", {}, {"gunicorn_extra_settings": {"bind": "0.0.0.0:80"}},
         "gunicorn_extra_settings.bind"),
    case("extra-setting-set-value", {}, {"gunicorn_extra_settings": {"limit_request_fields": {1, 2}}},
         "gunicorn_extra_settings.limit_request_fields"),
    case("forwarded-allow-ips-junk", {}, {"gunicorn_forwarded_allow_ips": "nginx; import os"},
         "gunicorn_forwarded_allow_ips"),
    case("trusted-proxies-everyone", {}, {"nginx_trusted_proxies": ["0.0.0.0/0"]}, "nginx_trusted_proxies"),
    case("trusted-proxies-junk", {}, {"nginx_trusted_proxies": ["10.0.0.1; allow all"]}, "nginx_trusted_proxies"),
    case("trusted-proxies-string", {}, {"nginx_trusted_proxies": "10.0.0.1"}, "nginx_trusted_proxies"),
    case("body-size-role", {}, {"nginx_client_max_body_size": "1m;"}, "nginx_client_max_body_size"),
    case("access-log-buffer-directive", {}, {"nginx_access_log_buffer": "64k; return 200"}, "nginx_access_log_buffer"),
    case("access-log-flush-junk", {}, {"nginx_access_log_flush": "1s gzip=9"}, "nginx_access_log_flush"),
    case("security-header-newline", {}, {"nginx_security_headers": {"X-A": "a\nb"}}, "nginx_security_headers.X-A"),
    case("acme-directory-shell", {}, {"nginx_acme_directory": "https://x\"; touch /owned; \""}, "nginx_acme_directory"),
    case("acme-directory-http", {}, {"nginx_acme_directory": "http://acme.test/dir"}, "nginx_acme_directory"),
    case("acme-email-shell", {}, {"nginx_acme_email": "a@b.test'; id; '"}, "nginx_acme_email"),
    case("acme-ca-bundle-blank", {}, {"nginx_acme_ca_bundle": "/etc/ssl/my ca.pem"}, "nginx_acme_ca_bundle"),
    case("acme-schedule-newline", {}, {"nginx_acme_renew_schedule": "daily\nExecStartPre=/bin/id"},
         "nginx_acme_renew_schedule"),
    case("installer-unknown", {}, {"app_installer": "poetry"}, "app_installer"),
    case("python-version-2", {}, {"app_python": "2.7"}, "app_python"),
    case("python-shell", {}, {"app_python": "python3; id"}, "app_python"),
]


@pytest.mark.parametrize("paths,settings,field", BAD_SETTINGS)
def test_bad_role_setting_is_rejected_naming_the_variable(paths, settings, field):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app()], settings=settings, **paths)
    assert str(error.value).startswith(field + ":"), str(error.value)


@pytest.mark.parametrize("variables", [
    case("newline", {"TOKEN": CANARY + "\n{{ x }}\x00"}),
    case("float", {"TOKEN": 1.5}),
    case("null", {"TOKEN": None}),
])
def test_secret_values_are_never_repeated(variables):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app(secret_env=variables)])
    assert str(error.value).startswith("asgi_apps[hello].secret_env.TOKEN:")
    assert CANARY not in str(error.value) and "1.5" not in str(error.value)


GOOD_INPUT = [
    case("header-value-that-looks-like-a-directive", nginx(headers={"X-A": 'x" always; return 200 "owned'})),
    case("headers-with-quotes-and-semicolons", nginx(headers={"Content-Security-Policy": "frame-ancestors 'self'; a \"b\"",
                                                              "X-Frame-Options": ""})),
    case("static-and-streams", nginx(static={"/static/": "/srv/hello/static"}, stream_paths=["/events", "/ws/"])),
    case("env-multiline-and-dollar", app(env={"KEY": "-----BEGIN-----\nAA\n-----END-----\n", "P": "a$b`c\"d",
                                              "PORT": 8080})),
    case("hsts-preload-provided-on-host", app(tls={"mode": "provided", "cert_path": "/etc/ssl/h.pem",
                                                   "key_path": "/etc/ssl/private/h.key"},
                                              nginx={"hsts_preload": True})),
    case("git-https-with-token", git("https://user:tok3n@git.example.test/a.git")),
    case("git-scp", git("git@git.example.test:team/app.git", ref="release/1.2")),
    case("git-local", git("/srv/git/app.git", ref="HEAD")),
    case("pypi-with-extras-and-versions", pypi("shop[redis]>=2.3,<3", index_url="https://u:p@pypi.internal/simple")),
    case("sandbox-resource-limits",
         app(systemd={"overrides": {"MemoryMax": "512M", "CPUQuota": "50%", "PrivateUsers": None}})),
    case("workers-at-max", app(workers=16)),
]


@pytest.mark.parametrize("good_app", GOOD_INPUT)
def test_good_input_passes(good_app):
    settings = {"gunicorn_max_workers": 16,
                "gunicorn_extra_settings": {"limit_request_line": 8190, "secure_headers": None},
                "nginx_trusted_proxies": ["10.0.0.0/8", "2001:db8::1", "balancer.internal"],
                "gunicorn_forwarded_allow_ips": "*"}
    assert normalize_apps([good_app], settings=settings)[0]["name"] == "hello"


@pytest.mark.parametrize("url,shown", [
    case("password", "https://user:s3cret@pypi.internal/simple", "https://***@pypi.internal/simple"),
    case("token-only", "https://ghp_abc@github.example.test/a.git", "https://***@github.example.test/a.git"),
    case("percent-and-dollar", "https://u:p%40$x@h.test/", "https://***@h.test/"),
    case("no-credentials", "https://pypi.org/simple", "https://pypi.org/simple"),
    case("at-in-path-only", "https://h.test/a@b", "https://h.test/a@b"),
    case("scp-like", "git@git.example.test:team/app.git", "git@git.example.test:team/app.git"),
    case("not-text", None, None),
])
def test_redact_url(url, shown):
    assert redact_url(url) == shown


def test_the_records_hold_no_credentials():
    """The app role reads the URLs with credentials from asgi_apps, in no_log tasks only."""
    record = normalize_apps([pypi("shop==1", index_url="https://u:" + CANARY + "@pypi.internal/simple",
                                  extra_index_url="https://" + CANARY + "@extra.internal/simple")])[0]
    assert CANARY not in repr(record)
    assert record["source"] == {"type": "pypi", "spec": "shop==1", "index_url": "https://***@pypi.internal/simple",
                                "extra_index_url": "https://***@extra.internal/simple"}


@pytest.mark.parametrize("names,host", [
    case("first-exact", ["*.example.test", "www.example.test"], "www.example.test"),
    case("only-wildcard", ["*.example.test"], "health.example.test"),
    case("none", [], "localhost"),
])
def test_health_probe_host_is_never_a_wildcard(names, host):
    assert health_host(names) == host


@pytest.mark.parametrize("lines,error", [
    case("other-file-claims-the-name", ["/etc/nginx/conf.d/old.conf:    server_name hello.example.test;"],
         "asgi_apps[hello].server_names: hello.example.test is already served by /etc/nginx/conf.d/old.conf"),
    case("renamed-app-left-its-file", ["/etc/nginx/conf.d/asgi-app-hi.conf:  server_name \"hello.example.test\";"],
         "/etc/nginx/conf.d/asgi-app-hi.conf"),
    case("sites-enabled-among-names", ["/etc/nginx/sites-enabled/x:server_name a.test hello.example.test b.test;"],
         "/etc/nginx/sites-enabled/x"),
    case("own-file-is-fine", ["/etc/nginx/conf.d/asgi-app-hello.conf:    server_name \"hello.example.test\";"], None),
    case("other-names-are-fine", ["/etc/nginx/conf.d/other.conf:    server_name other.example.test;"], None),
    case("nothing", [], None),
])
def test_names_another_nginx_server_claims(lines, error):
    if error is None:
        assert normalize_apps([app()], nginx_server_names=lines)
        return
    with pytest.raises(AppSpecError) as raised:
        normalize_apps([app()], nginx_server_names=lines)
    assert error in str(raised.value)


PEM = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG\nCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"


@pytest.mark.parametrize("text,secrets,shown", [
    case("secret-in-a-line", "DB password is %s!" % CANARY, [CANARY], "DB password is ********!"),
    case("template-percent-dollar-quotes", "x={{ a }}%d$HOME'\"", ["{{ a }}%d$HOME'\""], "x=********"),
    case("each-line-of-a-multiline-secret", "journal: MIGHAgEAMBMGByqGSM49AgEG\njournal: ok", [PEM],
         "journal: ********\njournal: ok"),
    case("whole-multiline-secret", "k=" + PEM, [PEM], "k=********"),
    case("url-credentials", "Looking in https://user:" + CANARY + "@pypi.internal/simple and git://tok@h/x",
         [], "Looking in https://********@pypi.internal/simple and git://********@h/x"),
    case("numbers-as-secrets", "port 12345678", [12345678], "port ********"),
    case("nothing-to-hide", "all good", ["absent-secret"], "all good"),
    case("empty-and-null-secrets-hide-nothing", "a b", ["", None, True], "a b"),
    case("no-text", None, [CANARY], ""),
])
def test_redact(text, secrets, shown):
    assert redact(text, secrets) == shown


@pytest.mark.parametrize("build_user,error", [
    case("app-named-like-the-build-user", "hello", "asgi_apps[hello].name: hello is the build user"),
    case("build-user-unsafe", "../root", "app_build_user:"),
    case("build-user-uppercase", "Build", "app_build_user:"),
])
def test_the_build_user_is_a_safe_name_no_app_takes(build_user, error):
    with pytest.raises(AppSpecError) as raised:
        normalize_apps([app()], settings={"app_build_user": build_user})
    assert str(raised.value).startswith(error)


def test_the_acme_defaults_and_an_operators_settings_pass():
    for settings in ({"nginx_acme_directory": "https://acme-v02.api.letsencrypt.org/directory",
                      "nginx_acme_email": "", "nginx_acme_ca_bundle": "", "nginx_acme_renew_schedule": "daily"},
                     {"nginx_acme_directory": "https://localhost:14000/dir", "nginx_acme_email": "ops+acme@example.test",
                      "nginx_acme_ca_bundle": "/etc/ssl/pebble.minica.pem",
                      "nginx_acme_renew_schedule": "*-*-* 04:00:00"}):
        assert normalize_apps([app()], settings=settings)
