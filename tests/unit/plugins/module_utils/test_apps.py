# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of asgi_apps that argument specs cannot express: every bad input fails with
a message naming the app and the field, and good ones give records without secrets."""

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
    "server_names": ["hello.example.test"],
    "source": {"type": "wheel", "path": "dist/hello.whl"},
}


def app(**changes):
    """GOOD with some keys replaced; a value of None removes the key."""
    result = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


BAD_APPS = [
    case("name-with-slash", [app(name="a/b")], "asgi_apps[a/b].name"),
    case("name-with-dotdot", [app(name="..")], "asgi_apps[..].name"),
    case("name-dotdot-path", [app(name="x/../../etc")], "asgi_apps[x/../../etc].name"),
    case("name-uppercase", [app(name="Hello")], "asgi_apps[Hello].name"),
    case("name-digit-first", [app(name="1app")], "asgi_apps[1app].name"),
    case("name-too-long", [app(name="a" * 33)], "asgi_apps[%s].name" % ("a" * 33)),
    case("name-missing", [app(name=None)], "asgi_apps[#0].name"),
    case("name-not-a-string", [app(name=7)], "asgi_apps[7].name"),
    case("module-without-attribute", [app(module="hello_asgi.main")], "asgi_apps[hello].module"),
    case("module-with-blank", [app(module="hello asgi:app")], "asgi_apps[hello].module"),
    case("module-path-syntax", [app(module="hello_asgi/main.py:app")], "asgi_apps[hello].module"),
    case("module-two-colons", [app(module="a:b:c")], "asgi_apps[hello].module"),
    case("server-name-underscore", [app(server_names=["bad_name.example"])], "asgi_apps[hello].server_names"),
    case("server-name-leading-dash", [app(server_names=["-x.example.test"])], "asgi_apps[hello].server_names"),
    case("server-name-empty-label", [app(server_names=["a..example"])], "asgi_apps[hello].server_names"),
    case("server-name-too-long", [app(server_names=[".".join(["a" * 63] * 5)])], "asgi_apps[hello].server_names"),
    case("server-name-with-port", [app(server_names=["hello.example.test:8443"])], "asgi_apps[hello].server_names"),
    case("tls-without-server-name", [app(server_names=[])], "asgi_apps[hello].server_names"),
    case("source-type-unknown", [app(source={"type": "svn", "repo": "x"})], "asgi_apps[hello].source.type"),
    case("wheel-without-path", [app(source={"type": "wheel"})], "asgi_apps[hello].source.path"),
    case("pypi-without-spec", [app(source={"type": "pypi"})], "asgi_apps[hello].source.spec"),
    case("git-without-repo", [app(source={"type": "git"})], "asgi_apps[hello].source.repo"),
    case("env-name-digit-first", [app(env={"1BAD": "x"})], "asgi_apps[hello].env"),
    case("env-name-dash", [app(env={"MY-VAR": "x"})], "asgi_apps[hello].env"),
    case("env-name-equals", [app(env={"A=B": "x"})], "asgi_apps[hello].env"),
    case("secret-env-name-blank", [app(secret_env={"MY TOKEN": "x"})], "asgi_apps[hello].secret_env"),
    case("workers-zero", [app(workers=0)], "asgi_apps[hello].workers"),
    case("workers-negative", [app(workers=-2)], "asgi_apps[hello].workers"),
    case("workers-boolean", [app(workers=True)], "asgi_apps[hello].workers"),
    case("health-path-relative", [app(health_path="healthz")], "asgi_apps[hello].health_path"),
    case("health-path-blank", [app(health_path="/health z")], "asgi_apps[hello].health_path"),
    case("read-write-path-relative", [app(systemd={"read_write_paths": ["data"]})],
         "asgi_apps[hello].systemd.read_write_paths"),
    case("read-write-path-dotdot", [app(systemd={"read_write_paths": ["/srv/hello/../../etc"]})],
         "asgi_apps[hello].systemd.read_write_paths"),
    case("read-write-path-root", [app(systemd={"read_write_paths": ["/"]})],
         "asgi_apps[hello].systemd.read_write_paths"),
    case("read-write-path-blank", [app(systemd={"read_write_paths": ["/srv/a b"]})],
         "asgi_apps[hello].systemd.read_write_paths"),
    case("override-lowercase", [app(systemd={"overrides": {"protecthome": False}})],
         "asgi_apps[hello].systemd.overrides"),
    case("override-with-equals", [app(systemd={"overrides": {"ProtectHome=no\nUser": "root"}})],
         "asgi_apps[hello].systemd.overrides"),
    case("override-value-newline", [app(systemd={"overrides": {"ProtectHome": "no\nUser=root"}})],
         "asgi_apps[hello].systemd.overrides.ProtectHome"),
    case("override-value-dict", [app(systemd={"overrides": {"ProtectHome": {"a": 1}}})],
         "asgi_apps[hello].systemd.overrides.ProtectHome"),
    case("override-list-item-newline", [app(systemd={"overrides": {"SystemCallFilter": ["@system-service", "x\ny"]}})],
         "asgi_apps[hello].systemd.overrides.SystemCallFilter"),
    case("duplicate-name", [app(), app(server_names=["other.example.test"])], "asgi_apps[hello].name"),
    case("names-differing-by-dash", [app(name="my-app"), app(name="my_app", server_names=["b.example.test"])],
         "asgi_apps[my_app].name"),
    case("duplicate-server-name", [app(), app(name="other")], "asgi_apps[other].server_names"),
    case("not-a-dict", ["hello"], "asgi_apps[#0]"),
    case("empty-list", [], "asgi_apps"),
    case("installer-unknown", [app(installer="conda")], "asgi_apps[hello].installer"),
    case("python-2", [app(python="2.7")], "asgi_apps[hello].python"),
    case("python-with-option", [app(python="/usr/bin/python3 -I")], "asgi_apps[hello].python"),
    case("python-relative", [app(python="bin/python3")], "asgi_apps[hello].python"),
    case("pylock-as-constraints", [app(constraints="locks/pylock.toml")], "asgi_apps[hello].constraints"),
    case("requirements-named-like-the-server-lock", [app(requirements="locks/server.lock")],
         "asgi_apps[hello].requirements"),
    case("constraints-named-like-the-pins", [app(constraints="c/server-pins.txt")], "asgi_apps[hello].constraints"),
]


@pytest.mark.parametrize("apps,field", BAD_APPS)
def test_bad_app_is_rejected_naming_the_field(apps, field):
    with pytest.raises(AppSpecError) as error:
        normalize_apps(apps)
    assert str(error.value).startswith(field), str(error.value)


HASH = "a" * 64
BAD_LOCKS = [
    case("hash-locked-line-unpinned", "requirements.txt", "fastapi==0.115 --hash=sha256:%s\nhttpx>=0.27\n" % HASH,
         "is not pinned with =="),
    case("pylock-not-toml", "pylock.toml", "lock-version = ", "is not TOML"),
    case("pylock-from-a-directory", "pylock.toml",
         'lock-version = "1.0"\n[[packages]]\nname = "shop"\nversion = "1"\ndirectory = { path = "." }\n',
         "comes from a directory"),
]


@pytest.mark.parametrize("name,text,problem", BAD_LOCKS)
def test_a_lock_that_cannot_be_installed_is_rejected_before_any_change(name, text, problem):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app(requirements="locks/" + name)], requirements_texts={"hello": text})
    assert str(error.value).startswith("asgi_apps[hello].requirements: "), str(error.value)
    assert problem in str(error.value)


@pytest.mark.parametrize("text", ["fastapi>=0.110\n", "fastapi==0.115 --hash=sha256:%s\n" % HASH])
def test_plain_and_hash_locked_requirements_pass(text):
    assert normalize_apps([app(requirements="r.txt")], requirements_texts={"hello": text})[0]["requirements"] == "r.txt"


@pytest.mark.parametrize("settings,python,installer", [
    ({}, {"interpreter": "/usr/bin/python3", "packages": []}, "uv"),
    ({"app_python": "3.13", "app_installer": "pip"},
     {"interpreter": "/usr/bin/python3.13", "packages": ["python3.13", "python3.13-venv"]}, "pip"),
])
def test_records_name_the_interpreter_and_installer(settings, python, installer):
    record = normalize_apps([app()], settings=settings)[0]
    assert (record["python"], record["installer"]) == (python, installer)
    own = normalize_apps([app(python="/opt/py/bin/python3", installer="uv")], settings=settings)[0]
    assert (own["python"]["interpreter"], own["installer"]) == ("/opt/py/bin/python3", "uv")


BAD_SETTINGS = [
    case("root-relative", {"root": "srv"}, "asgi_root"),
    case("root-dotdot", {"root": "/srv/../etc"}, "asgi_root"),
    case("root-is-root", {"root": "/"}, "asgi_root"),
    case("config-dir-trailing-slash", {"config_dir": "/etc/asgi/"}, "asgi_config_dir"),
    case("socket-dir-blank", {"socket_dir": "/run/my sockets"}, "asgi_socket_dir"),
    case("unit-prefix-slash", {"unit_prefix": "../asgi-"}, "asgi_unit_prefix"),
    case("unit-prefix-at", {"unit_prefix": "asgi@"}, "asgi_unit_prefix"),
]


@pytest.mark.parametrize("settings,field", BAD_SETTINGS)
def test_bad_setting_is_rejected_naming_the_variable(settings, field):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app()], **settings)
    assert str(error.value).startswith(field + ":"), str(error.value)


def test_secret_values_never_reach_a_message():
    with pytest.raises(AppSpecError) as error:
        normalize_apps([app(secret_env={"GOOD": "canary-value-1", "BAD NAME": "canary-value-2"})])
    assert "BAD NAME" in str(error.value)
    assert "canary-value" not in str(error.value)


GOOD_APPS = [
    case("minimal", [app()]),
    case("factory-and-wildcard", [app(module="pkg.factory:create_app()", server_names=["*.example.test"])]),
    case("plain-http-without-names", [app(server_names=[], tls={"mode": "off"})]),
    case("dash-and-underscore-apps", [app(name="a-b"), app(name="c_d", server_names=["c.example.test"])]),
    case("env-names", [app(env={"_PRIVATE": "1", "Mixed_Case9": "2"}, secret_env={"TOKEN": "x"})]),
    case("health-path-with-query", [app(health_path="/healthz?deep=1")]),
    case("sandbox-changes", [app(systemd={"read_write_paths": ["/var/lib/hello"],
                                          "overrides": {"MemoryDenyWriteExecute": True,
                                                        "SystemCallFilter": ["@system-service"],
                                                        "PrivateUsers": None, "UMask": "0077"}})]),
]


@pytest.mark.parametrize("apps", GOOD_APPS)
def test_good_apps_give_records_without_secrets(apps):
    records = normalize_apps(apps)
    assert [record["name"] for record in records] == [one["name"] for one in apps]
    for record in records:
        assert "secret_env" not in record
        assert "TOKEN" not in record["env"]


def test_record_carries_the_sandbox_changes_and_account():
    record = normalize_apps([app(systemd={"read_write_paths": ["/var/lib/hello"],
                                          "overrides": {"PrivateUsers": False}})])[0]
    assert record["systemd"] == {"read_write_paths": ["/var/lib/hello"], "overrides": {"PrivateUsers": False}}
    assert record["account_comment"] == "asgi.deploy app hello"
    assert normalize_apps([app()])[0]["systemd"] == {"read_write_paths": [], "overrides": {}}
