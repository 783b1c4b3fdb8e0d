"""Bad inputs thrown at asgi.deploy.site on a fresh host: each run fails naming the bad
field and the host is unchanged afterwards (files, accounts, packages, units)."""

import copy
import json
import os

import pytest

from asgi_probe import changed_count, playbook_recap

WHEEL = os.environ["ASGI_EXAMPLE_WHEEL"]
MISSING = "/nonexistent/asgi-deploy-test/hello.pem"
GOOD = {
    "name": "hello",
    "module": "hello_asgi.main:app",
    "server_names": ["hello.example.test"],
    "source": {"type": "wheel", "path": WHEEL},
}
# The deploy locks below /run/asgi-deploy/locks are a run's own state, given back when it
# ends (a run that fails after taking them leaves their guard file): not the host's.
SNAPSHOT = " ; ".join([
    "find /srv /etc/asgi-deploy /etc/nginx /etc/ssl /etc/systemd/system /run/asgi-deploy "
    "/usr/local -path /run/asgi-deploy/locks -prune -o -printf '%p %u %g %m %s %T@\\n' 2>/dev/null | sort",
    "cat /etc/passwd /etc/group",
    "dpkg -l",
    "systemctl list-unit-files --no-legend --no-pager",
])


def app(**changes):
    result = copy.deepcopy(GOOD)
    result.update(changes)
    return result


def apps(*entries, **settings):
    return dict(settings, asgi_apps=list(entries) or [app()])


def case(case_id, extra_vars, field):
    return pytest.param(extra_vars, field, id=case_id)


CASES = [
    # The inventory's shape: argument specs.
    case("apps-missing", {}, "missing required arguments: asgi_apps"),
    case("apps-not-a-list", {"asgi_apps": "hello"}, "'asgi_apps' is of type"),
    case("app-unknown-key", apps(app(colour="blue")), "colour"),
    case("app-module-missing", apps({k: v for k, v in GOOD.items() if k != "module"}),
         "missing required arguments: module"),
    case("source-type-unknown", apps(app(source={"type": "svn", "repo": "x"})), "got: svn found in asgi_apps -> source"),
    case("tls-mode-unknown", apps(app(tls={"mode": "bogus-mode"})), "got: bogus-mode found in asgi_apps -> tls"),
    case("worker-class-unknown", apps(app(worker_class="gevent")), "value of worker_class must be one of"),
    case("interface-unknown", apps(app(interface="rsgi")), "value of interface must be one of"),
    case("workers-not-a-number", apps(app(workers="many")), "'workers' is of type"),
    case("sandbox-unknown-key", apps(app(systemd={"writable": ["/data"]})), "writable"),
    # Each role's settings, checked before any role starts.
    case("gunicorn-timeout-not-a-number", apps(gunicorn_timeout="soon"), "gunicorn_timeout"),
    case("gunicorn-worker-class-unknown", apps(gunicorn_worker_class="gevent"), "gunicorn_worker_class"),
    case("nginx-tls-profile-unknown", apps(nginx_tls_profile="old"), "nginx_tls_profile"),
    case("nginx-hsts-not-a-number", apps(nginx_hsts_max_age="forever"), "nginx_hsts_max_age"),
    case("release-retries-not-a-number", apps(release_health_retries="often"), "release_health_retries"),
    # What argument specs cannot express.
    case("name-with-slash", apps(app(name="a/b")), "asgi_apps[a/b].name"),
    case("name-with-dotdot", apps(app(name="../etc")), "asgi_apps[../etc].name"),
    case("name-takes-over-root", apps(app(name="root")), "asgi_apps[root].name"),
    case("name-takes-over-a-group", apps(app(name="sudo")), "asgi_apps[sudo].name"),
    case("names-clash-in-nginx", apps(app(name="my-app"), app(name="my_app", server_names=["b.example.test"])),
         "asgi_apps[my_app].name"),
    case("module-without-attribute", apps(app(module="hello_asgi.main")), "asgi_apps[hello].module"),
    case("server-name-invalid", apps(app(server_names=["bad_name!.example"])), "asgi_apps[hello].server_names"),
    case("server-name-twice", apps(app(), app(name="other")), "asgi_apps[other].server_names"),
    case("env-name-invalid", apps(app(env={"1BAD": "x"})), "asgi_apps[hello].env"),
    case("secret-env-name-invalid", apps(app(secret_env={"MY TOKEN": "x"})), "asgi_apps[hello].secret_env"),
    case("workers-zero", apps(app(workers=0)), "asgi_apps[hello].workers"),
    case("health-path-relative", apps(app(health_path="healthz")), "asgi_apps[hello].health_path"),
    case("writable-path-escapes", apps(app(systemd={"read_write_paths": ["/srv/../etc"]})),
         "asgi_apps[hello].systemd.read_write_paths"),
    case("override-injects-a-line", apps(app(systemd={"overrides": {"ProtectHome": "no\nUser=root"}})),
         "asgi_apps[hello].systemd.overrides.ProtectHome"),
    case("role-override-not-a-directive", apps(gunicorn_systemd_overrides={"protect home": "no"}),
         "gunicorn_systemd_overrides"),
    # Above the default maximum (16): the role defaults are seen before the role runs.
    case("workers-min-above-max", apps(gunicorn_min_workers=20), "gunicorn_min_workers (20) is above"),
    case("root-relative", apps(asgi_root="srv"), "asgi_root"),
    case("unit-prefix-unsafe", apps(asgi_unit_prefix="../asgi-"), "asgi_unit_prefix"),
    case("wheel-missing", apps(app(source={"type": "wheel", "path": MISSING})), "asgi_apps[hello].source.path"),
    case("certificate-missing", apps(app(tls={"mode": "provided", "cert_src": MISSING, "key_src": WHEEL})),
         "asgi_apps[hello].tls.cert_src"),
    # nginx: values that would add directives, break every request or split headers.
    case("header-value-newline", apps(app(nginx={"headers": {"X-Note": "ok\n"}})),
         "asgi_apps[hello].nginx.headers.X-Note"),
    case("header-value-crlf", apps(app(nginx={"headers": {"X-Split": "a\r\nSet-Cookie: owned=1"}})),
         "asgi_apps[hello].nginx.headers.X-Split"),
    case("header-value-variable", apps(app(nginx={"headers": {"X-Var": "$request_uri"}})),
         "asgi_apps[hello].nginx.headers.X-Var"),
    case("header-name-injects", apps(app(nginx={"headers": {"X-A always; return 200 x; #": "v"}})),
         "is not a header name"),
    case("security-header-newline", apps(nginx_security_headers={"X-Frame-Options": "DENY\n"}),
         "nginx_security_headers.X-Frame-Options"),
    case("body-size-directive", apps(app(nginx={"client_max_body_size": "1m; return 200 owned"})),
         "asgi_apps[hello].nginx.client_max_body_size"),
    case("role-body-size-directive", apps(nginx_client_max_body_size="1m; return 200 owned"),
         "nginx_client_max_body_size:"),
    case("static-dir-variable", apps(app(nginx={"static": {"/static/": "/srv/$http_x_path"}})),
         "asgi_apps[hello].nginx.static./static/"),
    case("static-dir-semicolon", apps(app(nginx={"static": {"/files/": "/srv/files;"}})),
         "asgi_apps[hello].nginx.static./files/"),
    case("static-on-root", apps(app(nginx={"static": {"/": "/srv/www"}})), "asgi_apps[hello].nginx.static./:"),
    case("stream-on-root", apps(app(nginx={"stream_paths": ["/"]})), "is already served by the app itself"),
    case("stream-and-static-clash", apps(app(nginx={"static": {"/e/": "/srv/e"}, "stream_paths": ["/e/"]})),
         "is already served by nginx.static"),
    case("server-names-string", apps(app(server_names="hello.example.test")),
         "asgi_apps[hello].server_names: expected a list"),
    case("hsts-preload-selfsigned", apps(app(nginx={"hsts_preload": True})), "asgi_apps[hello].nginx.hsts_preload"),
    case("trusted-proxies-everyone", apps(nginx_trusted_proxies=["0.0.0.0/0"]), "nginx_trusted_proxies:"),
    # systemd and gunicorn.
    case("override-trailing-backslash", apps(app(systemd={"overrides": {"UMask": "0027\\"}})),
         "asgi_apps[hello].systemd.overrides.UMask"),
    case("override-user-root", apps(app(systemd={"overrides": {"User": "root"}})),
         "User is not a sandboxing or resource directive"),
    case("role-override-execstart", apps(gunicorn_systemd_overrides={"ExecStartPre": "/bin/true"}),
         "ExecStartPre is not a sandboxing or resource directive"),
    case("root-under-home", apps(asgi_root="/home/apps"), "asgi_root: /home/apps is below /home"),
    case("root-under-tmp", apps(asgi_root="/tmp/apps"), "asgi_root: /tmp/apps is below /tmp"),
    case("root-under-run", apps(asgi_root="/run/apps"), "asgi_root: /run/apps is below /run"),
    case("unit-prefix-empty", apps(asgi_unit_prefix=""), "is not a prefix of its own"),
    case("workers-above-max", apps(app(workers=17)), "asgi_apps[hello].workers: 17 is above gunicorn_max_workers"),
    case("extra-setting-reserved", apps(gunicorn_extra_settings={"bind": "0.0.0.0:8000"}),
         "gunicorn_extra_settings.bind"),
    # WSGI: the interface, its worker class and threads agree.
    case("wsgi-with-asgi-worker", apps(app(interface="wsgi", worker_class="uvicorn_worker.UvicornWorker")),
         "asgi_apps[hello].worker_class: 'uvicorn_worker.UvicornWorker' does not call a WSGI app"),
    case("asgi-with-sync-worker", apps(app(worker_class="sync")),
         "asgi_apps[hello].worker_class: 'sync' does not call an ASGI app"),
    case("threads-on-sync", apps(app(interface="wsgi", threads=4)),
         "asgi_apps[hello].threads: threads are gunicorn's gthread worker's; this app runs sync"),
    case("build-command-empty", apps(app(build_command=" ")), "asgi_apps[hello].build_command"),
    case("forwarded-allow-ips-junk", apps(gunicorn_forwarded_allow_ips="nginx"), "gunicorn_forwarded_allow_ips:"),
    # Sources that smuggle options into git or pip, files that overwrite each other.
    case("git-repo-option", apps(app(source={"type": "git", "repo": "--upload-pack=touch /tmp/owned"})),
         "asgi_apps[hello].source.repo"),
    case("git-repo-ext-transport", apps(app(source={"type": "git", "repo": "ext::sh -c id"})),
         "is not a git URL"),
    case("git-ref-option", apps(app(source={"type": "git", "repo": "https://git.example.test/a.git",
                                            "ref": "--upload-pack=id"})), "asgi_apps[hello].source.ref"),
    case("pypi-spec-option", apps(app(source={"type": "pypi", "spec": "--index-url=https://evil.example.test/"})),
         "asgi_apps[hello].source.spec"),
    case("index-url-credentials-redacted", apps(app(source={"type": "pypi", "spec": "hello",
                                                            "index_url": "ftp://user:hunter2@pypi.example.test/"})),
         "ftp://***@pypi.example.test/"),
    case("requirements-and-constraints-same-name",
         apps(app(requirements="/nonexistent/a/reqs.txt", constraints="/nonexistent/b/reqs.txt")),
         "asgi_apps[hello].constraints: has the same file name"),
    case("release-dotdot", apps(app(release="..")), "asgi_apps[hello].release"),
    # Builds: an installer, an interpreter or a lock that cannot be.
    case("installer-unknown", apps(app_installer="poetry"), "app_installer"),
    case("python-not-one", apps(app(python="python3; id")), "asgi_apps[hello].python"),
    case("pylock-as-constraints", apps(app(constraints="/nonexistent/pylock.toml")), "asgi_apps[hello].constraints"),
    case("requirements-named-like-the-server-lock", apps(app(requirements="/nonexistent/server.lock")),
         "asgi_apps[hello].requirements"),
    # The environment: values that would be mangled on the way.
    case("env-value-null", apps(app(env={"HELLO_NULL": None})), "asgi_apps[hello].env.HELLO_NULL"),
    case("env-value-float", apps(app(env={"HELLO_VERSION": 1.10})), "asgi_apps[hello].env.HELLO_VERSION"),
    case("env-value-boolean", apps(app(env={"HELLO_DEBUG": True})), "asgi_apps[hello].env.HELLO_DEBUG"),
    case("env-and-secret-same-name", apps(app(env={"HELLO_X": "1"}, secret_env={"HELLO_X": "2"})),
         "asgi_apps[hello].secret_env.HELLO_X"),
    # A migration hook once for the fleet, and no hook to run.
    case("pre-activate-once-without-hook", apps(app(pre_activate_once=True)), "asgi_apps[hello].pre_activate_once"),
    # Processes and timers: their keys, commands, replicas, names, schedules.
    case("process-unknown-key", apps(app(processes=[{"name": "worker", "command": "arq w.S", "user": "root"}])),
         "asgi_apps.processes.user"),
    case("process-command-empty", apps(app(processes=[{"name": "worker", "command": ""}])),
         "asgi_apps[hello].processes[worker].command"),
    case("process-replicas-zero", apps(app(processes=[{"name": "worker", "command": "arq w.S", "replicas": 0}])),
         "asgi_apps[hello].processes[worker].replicas"),
    case("process-names-twice", apps(app(processes=[{"name": "worker", "command": "a"},
                                                    {"name": "worker", "command": "b"}])),
         "worker is already the name of processes[worker]"),
    case("process-name-unit-unsafe", apps(app(processes=[{"name": "w@1.service", "command": "a"}])),
         "asgi_apps[hello].processes[w@1.service].name"),
    case("timer-unknown-key", apps(app(timers=[{"name": "tick", "on_calendar": "daily", "command": "a",
                                                "every": "5m"}])), "asgi_apps.timers.every"),
    case("timer-command-empty", apps(app(timers=[{"name": "tick", "on_calendar": "daily", "command": " "}])),
         "asgi_apps[hello].timers[tick].command"),
    # Passes the pattern, but the host's systemd-analyze calendar reads no such hour.
    case("timer-calendar-invalid", apps(app(timers=[{"name": "tick", "on_calendar": "*-*-* 25:00:00",
                                                     "command": "a"}])),
         "asgi_apps[hello].timers[tick].on_calendar: *-*-* 25:00:00 is not a calendar event systemd reads"),
    # A user (daemon) or a group alone (adm) of the host that asgi.deploy did not make.
    case("name-of-a-host-user", apps(app(name="daemon", server_names=["daemon.example.test"])),
         "asgi_apps[daemon].name: daemon is an existing user or group of the host that asgi.deploy did not create"),
    case("name-of-a-host-group", apps(app(name="adm", server_names=["adm.example.test"])),
         "asgi_apps[adm].name: adm is an existing user or group of the host that asgi.deploy did not create"),
    case("cert-path-variable", apps(app(tls={"mode": "provided", "cert_path": "/etc/ssl/$host.pem",
                                             "key_path": "/etc/ssl/private/h.key"})),
         "asgi_apps[hello].tls.cert_path"),
]


@pytest.fixture(scope="module")
def before(host):
    return host.run(SNAPSHOT).stdout


@pytest.mark.parametrize("extra_vars,field", CASES)
def test_bad_input_fails_naming_the_field_and_changes_nothing(host, before, tmp_path, extra_vars, field):
    extra_vars_file = tmp_path / "bad.json"
    extra_vars_file.write_text(json.dumps(extra_vars))
    code, output = playbook_recap("asgi.deploy.site", "-e", "@%s" % extra_vars_file)
    assert code != 0, output[-3000:]
    assert field in output, output[-3000:]
    # A credential in a URL is never shown, not even in the error about that URL.
    assert "hunter2" not in output
    assert changed_count(output) == 0, output[-3000:]
    assert host.run(SNAPSHOT).stdout == before


def test_a_name_another_nginx_file_serves_fails_naming_the_file(host, tmp_path):
    """Renaming an app leaves its old server claiming the names: the run must fail, not
    leave the traffic on the old app."""
    other = "/etc/nginx/conf.d/asgi-app-oldname.conf"
    had_nginx = host.file("/etc/nginx").exists
    host.run("mkdir -p /etc/nginx/conf.d && printf 'server {\\n    server_name hello.example.test;\\n}\\n' > %s"
             % other)
    try:
        snapshot = host.run(SNAPSHOT).stdout
        extra_vars_file = tmp_path / "clash.json"
        extra_vars_file.write_text(json.dumps(apps()))
        code, output = playbook_recap("asgi.deploy.site", "-e", "@%s" % extra_vars_file)
        assert code != 0, output[-3000:]
        assert "asgi_apps[hello].server_names: hello.example.test is already served by " + other in output, \
            output[-3000:]
        assert changed_count(output) == 0, output[-3000:]
        assert host.run(SNAPSHOT).stdout == snapshot
    finally:
        host.run("rm -f %s" % other if had_nginx else "rm -rf /etc/nginx")


def test_enough_distinct_bad_inputs():
    assert len(CASES) >= 40
    assert len({param.values[1] for param in CASES}) == len(CASES)
