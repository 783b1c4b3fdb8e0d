# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One escaping function per language a value is written into: an nginx string, a
systemd unit value, a Python literal (gunicorn.conf.py), an EnvironmentFile= value and a
shell word (files a shell sources, such as dehydrated's configuration).
Each returns text that the target reads back as exactly the value given, or raises
EscapeError (a ValueError) when the target cannot hold the value. Templates use these
through the filters of plugins/filter/escape.py and never quote by hand.

The error messages never repeat the value: it may be a secret."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

# C0 controls and DEL: no target holds them on one line, and in nginx a newline ends
# a header, in a unit file it ends the directive.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EscapeError(ValueError):
    """The value cannot be written in the target language."""


def _text(value, target):
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict, float)):
        raise EscapeError("a %s holds text or a whole number, not %s" % (target, _kind(value)))
    if isinstance(value, int):
        return int.__repr__(value)
    if not isinstance(value, str):
        raise EscapeError("a %s holds text, not %s" % (target, _kind(value)))
    # The plain text, without any subclass (tagged or unsafe strings) around it.
    return str.__str__(value)


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a %s" % type(value).__name__


def nginx_string(value):
    """A double-quoted nginx string. nginx's parser reads backslash escapes inside quotes,
    so quotes and backslashes are escaped and ';', '{', '}', '#' and blanks stay literal.
    nginx has no escape for '$' (a variable in most directives) nor for control
    characters: such values are refused."""
    text = _text(value, "nginx string")
    if CONTROL.search(text):
        raise EscapeError("an nginx string cannot hold control characters such as a newline")
    if "$" in text:
        raise EscapeError("an nginx string cannot hold '$': nginx would read a variable there")
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def systemd_value(value):
    """The right-hand side of a directive in a unit file: true/false become yes/no,
    '%' (a specifier) is doubled. A value cannot span lines, end in a backslash (which
    joins the next line), or start or end with blanks (systemd strips them)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = _text(value, "systemd value")
    if CONTROL.search(text):
        raise EscapeError("a systemd value cannot hold control characters such as a newline")
    if text.endswith("\\"):
        raise EscapeError("a systemd value cannot end in a backslash: it would swallow the next line")
    if text != text.strip():
        raise EscapeError("a systemd value cannot start or end with blanks")
    return text.replace("%", "%%")


def python_literal(value):
    """A Python literal that evaluates to the value: strings, whole and decimal numbers,
    booleans, null (None), lists and mappings of them."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EscapeError("a Python literal cannot be an infinite or undefined number")
        return float.__repr__(value)
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(python_literal(item) for item in value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (python_literal(key), python_literal(item))
                                  for key, item in value.items())
    raise EscapeError("a Python literal cannot hold %s" % _kind(value))


# Inside double quotes systemd's EnvironmentFile= parser takes a backslash before one of
# these as the character itself; every other character, a newline too, is taken as is.
_ENV_ESCAPED = re.compile(r'(["\\`$])')


def env_value(value):
    """A value of an EnvironmentFile= line (systemd's env-file syntax), double-quoted, so
    blanks, '#', quotes, '$' and newlines (a PEM key) reach the process unchanged. Text
    and whole numbers only: null, booleans and decimal numbers have no one spelling."""
    text = _text(value, "environment value")
    if "\x00" in text:
        raise EscapeError("an environment value cannot hold a NUL character")
    return '"%s"' % _ENV_ESCAPED.sub(r"\\\1", text)


def shell_word(value):
    """One word for a POSIX shell (or a file it sources), single-quoted: nothing inside is
    expanded; a single quote is written as '\\''."""
    text = _text(value, "shell word")
    if "\x00" in text:
        raise EscapeError("a shell word cannot hold a NUL character")
    return "'%s'" % text.replace("'", "'\\''")


def toml_string(value):
    """A TOML basic string: '"' and '\\' escaped, control characters as \\uXXXX (TOML
    takes no raw control character in a basic string), everything else as is."""
    text = _text(value, "TOML string")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"%s"' % CONTROL.sub(lambda match: "\\u%04X" % ord(match.group()), escaped)
