# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One escaping function per target language: what each writes, what it refuses, and
that a refusal never repeats the value (it may be a secret)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ast
import subprocess

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._escape import (
    EscapeError,
    env_value,
    nginx_string,
    python_literal,
    shell_word,
    systemd_value,
    toml_string,
)

CANARY = "canary-7f3a"


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


NGINX = [
    case("plain", "nosniff", '"nosniff"'),
    case("blank-and-quotes", "frame-ancestors 'self'", '"frame-ancestors \'self\'"'),
    case("double-quote", 'a"b', '"a\\"b"'),
    case("backslash", "a\\b", '"a\\\\b"'),
    case("trailing-backslash", "a\\", '"a\\\\"'),
    case("directive-injection-stays-text", 'x"; return 200 "owned', '"x\\"; return 200 \\"owned"'),
    case("semicolon-and-braces", "a; } server { b", '"a; } server { b"'),
    case("hash", "a # b", '"a # b"'),
    case("empty", "", '""'),
    case("number", 3600, '"3600"'),
    case("unicode", "caf\u00e9", '"caf\u00e9"'),
]


@pytest.mark.parametrize("value,expected", NGINX)
def test_nginx_string(value, expected):
    assert nginx_string(value) == expected


TOML = [
    case("url", "https://idx.example/simple/", '"https://idx.example/simple/"'),
    case("double-quote", 'a"b', '"a\\"b"'),
    case("backslash", "a\\b", '"a\\\\b"'),
    case("key-injection-stays-text", 'x"\nindex-url = "evil', '"x\\"\\u000Aindex-url = \\"evil"'),
    case("tab", "a\tb", '"a\\u0009b"'),
    case("unicode", "caf\u00e9", '"caf\u00e9"'),
    case("number", 8, '"8"'),
]


@pytest.mark.parametrize("value,expected", TOML)
def test_toml_string(value, expected):
    assert toml_string(value) == expected


@pytest.mark.parametrize("value", [row.values[0] for row in TOML])
def test_toml_string_reads_back_as_the_value(value):
    tomllib = pytest.importorskip("tomllib")
    assert tomllib.loads("key = %s" % toml_string(value))["key"] == str(value)


SYSTEMD = [
    case("true", True, "yes"),
    case("false", False, "no"),
    case("number", 8, "8"),
    case("text", "strict", "strict"),
    case("specifier", "50%", "50%%"),
    case("specifier-like", "%i%n", "%%i%%n"),
    case("inner-backslash", "a\\b", "a\\b"),
    case("blanks-inside", "AF_UNIX AF_INET", "AF_UNIX AF_INET"),
    case("negated-list", "~@privileged @resources", "~@privileged @resources"),
]


@pytest.mark.parametrize("value,expected", SYSTEMD)
def test_systemd_value(value, expected):
    assert systemd_value(value) == expected


PYTHON = [
    case("text", "uvicorn_worker.UvicornWorker", "'uvicorn_worker.UvicornWorker'"),
    case("quotes", "it's \"x\"", "'it\\'s \"x\"'"),
    case("newline", "a\nb", "'a\\nb'"),
    case("none", None, "None"),
    case("true", True, "True"),
    case("false", False, "False"),
    case("int", 30, "30"),
    case("float-keeps-its-digits", 1.25, "1.25"),
    case("list", ["a", 1, False], "['a', 1, False]"),
    case("nested-mapping", {"X-FORWARDED-PROTO": "https", "n": {"deep": [None, True]}},
         "{'X-FORWARDED-PROTO': 'https', 'n': {'deep': [None, True]}}"),
    case("code-stays-text", "__import__('os').system('id')", "\"__import__('os').system('id')\""),
]


@pytest.mark.parametrize("value,expected", PYTHON)
def test_python_literal(value, expected):
    written = python_literal(value)
    assert written == expected
    assert ast.literal_eval(written) == value


ENV = [
    case("plain", "db.internal", '"db.internal"'),
    case("blank-and-hash", "a b # c", '"a b # c"'),
    case("dollar", "pa$HOME", '"pa\\$HOME"'),
    case("backtick", "`id`", '"\\`id\\`"'),
    case("double-quote", 'say "hi"', '"say \\"hi\\""'),
    case("single-quote", "it's", '"it\'s"'),
    case("backslash", "C:\\dir", '"C:\\\\dir"'),
    case("trailing-backslash", "a\\", '"a\\\\"'),
    case("newline-kept", "-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n",
         '"-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n"'),
    case("template-and-percent", "{{ x }} %d", '"{{ x }} %d"'),
    case("version-stays-text", "1.10", '"1.10"'),
    case("int", 8080, '"8080"'),
    case("empty", "", '""'),
]


@pytest.mark.parametrize("value,expected", ENV)
def test_env_value(value, expected):
    assert env_value(value) == expected


def read_env_value(written):
    """systemd's reading of a double-quoted EnvironmentFile= value (parse_env_file):
    a backslash before " \\ ` $ gives that character, any other character is kept."""
    assert written[0] == written[-1] == '"'
    result, body, index = [], written[1:-1], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in '"\\`$':
            result.append(body[index + 1])
            index += 2
            continue
        assert char != '"', "an unescaped quote ends the value early"
        result.append(char)
        index += 1
    return "".join(result)


@pytest.mark.parametrize("value", [param.values[0] for param in ENV if isinstance(param.values[0], str)])
def test_env_value_reads_back(value):
    assert read_env_value(env_value(value)) == value


REFUSED = [
    case("nginx-newline", nginx_string, CANARY + "\n"),
    case("nginx-crlf", nginx_string, CANARY + "\r\nSet-Cookie: x"),
    case("nginx-dollar", nginx_string, "$" + CANARY),
    case("nginx-nul", nginx_string, CANARY + "\x00"),
    case("nginx-tab", nginx_string, CANARY + "\t"),
    case("nginx-del", nginx_string, CANARY + "\x7f"),
    case("nginx-null", nginx_string, None),
    case("nginx-boolean", nginx_string, True),
    case("nginx-list", nginx_string, [CANARY]),
    case("systemd-newline", systemd_value, "no\nUser=" + CANARY),
    case("systemd-trailing-backslash", systemd_value, CANARY + "\\"),
    case("systemd-leading-blank", systemd_value, " " + CANARY),
    case("systemd-trailing-blank", systemd_value, CANARY + " "),
    case("systemd-null", systemd_value, None),
    case("systemd-mapping", systemd_value, {"a": CANARY}),
    case("systemd-float", systemd_value, 1.5),
    case("python-set", python_literal, {CANARY}),
    case("python-object", python_literal, object()),
    case("python-nan", python_literal, float("nan")),
    case("python-inf", python_literal, float("inf")),
    case("python-bytes", python_literal, CANARY.encode()),
    case("env-nul", env_value, CANARY + "\x00"),
    case("env-null", env_value, None),
    case("env-true", env_value, True),
    case("env-float", env_value, 1.1),
    case("env-list", env_value, [CANARY]),
]


@pytest.mark.parametrize("escape,value", REFUSED)
def test_refused_without_repeating_the_value(escape, value):
    with pytest.raises(EscapeError) as error:
        escape(value)
    assert CANARY not in str(error.value)
    assert str(error.value)


class Tagged(str):
    """A str subclass, as Ansible's tagged and unsafe strings are."""

    def __repr__(self):
        return "Tagged(%s)" % str.__repr__(self)


@pytest.mark.parametrize("escape,expected", [
    case("nginx", nginx_string, '"v"'),
    case("systemd", systemd_value, "v"),
    case("python", python_literal, "'v'"),
    case("env", env_value, '"v"'),
])
def test_string_subclasses_are_written_as_plain_text(escape, expected):
    assert escape(Tagged("v")) == expected


SHELL = [
    case("plain", "https://acme.example.test/dir", "'https://acme.example.test/dir'"),
    case("expansions-stay-text", "$(id) `id` $HOME ${x}", "'$(id) `id` $HOME ${x}'"),
    case("single-quote", "it's", "'it'\\''s'"),
    case("double-quote-and-semicolon", 'a"; rm -rf / #', "'a\"; rm -rf / #'"),
    case("newline", "a\nb", "'a\nb'"),
    case("number", 30, "'30'"),
    case("empty", "", "''"),
]


@pytest.mark.parametrize("value,expected", SHELL)
def test_shell_word(value, expected):
    assert shell_word(value) == expected


@pytest.mark.parametrize("value", [param.values[0] for param in SHELL])
def test_shell_word_reads_back_through_a_shell(value):
    written = shell_word(value)
    assert subprocess.run(["sh", "-c", "printf %s " + written], capture_output=True, text=True,
                          check=True).stdout == str(value)


@pytest.mark.parametrize("value", [CANARY + "\x00", None, True, [CANARY]])
def test_shell_word_refuses_without_repeating_the_value(value):
    with pytest.raises(EscapeError) as error:
        shell_word(value)
    assert CANARY not in str(error.value)
