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
SNAPSHOT = " ; ".join([
    "find /srv /etc/asgi-deploy /etc/nginx /etc/ssl /etc/systemd/system /run/asgi-deploy "
    "/usr/local -printf '%p %u %g %m %s %T@\\n' 2>/dev/null | sort",
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
    case("worker-class-unknown", apps(app(worker_class="sync")), "value of worker_class must be one of"),
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
    assert changed_count(output) == 0, output[-3000:]
    assert host.run(SNAPSHOT).stdout == before


def test_enough_distinct_bad_inputs():
    assert len(CASES) >= 25
    assert len({param.values[1] for param in CASES}) == len(CASES)
