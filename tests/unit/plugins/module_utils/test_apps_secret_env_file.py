# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's secret_env_file: what it holds is checked like secret_env, errors name the
app, the field and the variable and never repeat a value, and its values reach the app
exactly as written (they are data, never templates)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import (
    AppSpecError,
    UnreadableFile,
    normalize_apps,
    secret_env,
)
from ansible_collections.asgi.deploy.plugins.plugin_utils._secret_env_file import (
    load_secret_env_file,
    load_secret_env_files,
)

CANARY = "canary-7f3a"
GOOD = {
    "name": "hello",
    "module": "hello_asgi.main:app",
    "server_names": ["hello.example.test"],
    "source": {"type": "wheel", "path": "dist/hello-1.0-py3-none-any.whl"},
    "secret_env_file": "files/hello-secrets.yml",
}
TRICKY = CANARY + " {{ nope }} {% if %} 100%d $HOME `id` \"dq\" 'sq' back\\slash"


def app(**changes):
    result = copy.deepcopy(GOOD)
    result.update(changes)
    return result


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


@pytest.mark.parametrize("text,expected", [
    case("template-syntax-is-data", 'TOKEN: "%s"\n' % TRICKY.replace("\\", "\\\\").replace('"', '\\"'),
         {"TOKEN": TRICKY}),
    case("block-scalar-keeps-lines", "KEY: |\n  -----BEGIN-----\n  {{ AA }}\n  -----END-----\n",
         {"KEY": "-----BEGIN-----\n{{ AA }}\n-----END-----\n"}),
    case("plain-scalars", "A: a{{b\nB: 100%\nPORT: 8080\n", {"A": "a{{b", "B": "100%", "PORT": 8080}),
    case("empty-file", "", {}),
    case("comments-only", "# nothing yet\n", {}),
])
def test_a_file_is_read_as_plain_yaml(text, expected):
    assert load_secret_env_file(text) == expected


@pytest.mark.parametrize("text,line", [
    case("unsafe-tag", "A: ok\nTOKEN: !unsafe '%s'\n" % CANARY, 2),
    case("vault-tag", "TOKEN: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3%s\n" % CANARY, 1),
    case("broken-quote", 'A: ok\nB: ok\nTOKEN: "%s\n' % CANARY, 3),
    case("tab-indent", "TOKEN:\n\t%s: x\n" % CANARY, 2),
])
def test_a_file_that_is_not_plain_yaml_is_named_by_line_only(text, line):
    problem = load_secret_env_file(text)
    assert isinstance(problem, UnreadableFile)
    assert "line %d" % line in problem.problem
    assert CANARY not in problem.problem


def test_a_missing_file_stays_missing():
    assert load_secret_env_files({"hello": None, "shop": "A: b\n"}) == {"hello": None, "shop": {"A": "b"}}


BAD = [
    case("missing", app(), {"hello": None}, "asgi_apps[hello].secret_env_file: files/hello-secrets.yml is not a file"),
    case("not-yaml", app(), {"hello": UnreadableFile("is not plain YAML at line 2")},
         "asgi_apps[hello].secret_env_file: files/hello-secrets.yml is not plain YAML at line 2"),
    case("a-list", app(), {"hello": [CANARY]}, "asgi_apps[hello].secret_env_file: files/hello-secrets.yml does not hold"),
    case("a-string", app(), {"hello": CANARY}, "asgi_apps[hello].secret_env_file: files/hello-secrets.yml does not hold"),
    case("path-not-a-string", app(secret_env_file=["a"]), {}, "asgi_apps[hello].secret_env_file: "),
    case("path-with-newline", app(secret_env_file="a\nb"), {}, "asgi_apps[hello].secret_env_file: "),
    case("bad-name", app(), {"hello": {"MY TOKEN": CANARY}}, "asgi_apps[hello].secret_env_file: 'MY TOKEN'"),
    case("name-not-a-string", app(), {"hello": {1: CANARY}}, "asgi_apps[hello].secret_env_file: 1 "),
    case("float-value", app(), {"hello": {"RATIO": 2.75}}, "asgi_apps[hello].secret_env_file.RATIO: the value is"),
    case("null-value", app(), {"hello": {"TOKEN": None}}, "asgi_apps[hello].secret_env_file.TOKEN: the value is"),
    case("bool-value", app(), {"hello": {"TOKEN": True}}, "asgi_apps[hello].secret_env_file.TOKEN: the value is"),
    case("nul-byte", app(), {"hello": {"TOKEN": CANARY + "\x00"}}, "asgi_apps[hello].secret_env_file.TOKEN: "),
    case("also-in-env", app(env={"TOKEN": "x"}), {"hello": {"TOKEN": CANARY}},
         "asgi_apps[hello].secret_env_file.TOKEN: is set in env too"),
    case("also-in-secret-env", app(secret_env={"TOKEN": "x"}), {"hello": {"TOKEN": CANARY}},
         "asgi_apps[hello].secret_env_file.TOKEN: is set in secret_env too"),
]


@pytest.mark.parametrize("apps_app,files,message", BAD)
def test_a_bad_file_fails_naming_the_field_never_a_value(apps_app, files, message):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([apps_app], secret_env_files=files)
    assert str(error.value).startswith(message), str(error.value)
    assert CANARY not in str(error.value) and "2.75" not in str(error.value)


def test_the_records_name_the_file_secrets_but_hold_no_value():
    record, = normalize_apps([app(secret_env={"A": CANARY + "1"})],
                             secret_env_files={"hello": {"B": CANARY + "2"}})
    assert record["secret_env_names"] == ["A", "B"]
    assert CANARY not in repr(record)


def test_secret_env_merges_the_inline_and_the_file_variables_exactly():
    apps = [app(secret_env={"A": TRICKY}), dict(app(name="shop"), secret_env_file=None)]
    files = load_secret_env_files({"hello": "B: |\n  %s\n  line2\nPORT: 5432\n" % CANARY})
    assert secret_env(apps, files) == {"hello": {"A": TRICKY, "B": CANARY + "\nline2\n", "PORT": 5432}, "shop": {}}


def test_secret_env_of_an_app_without_file_is_its_inline_secrets():
    assert secret_env([dict(app(secret_env={"A": "1"}), secret_env_file=None)]) == {"hello": {"A": "1"}}
