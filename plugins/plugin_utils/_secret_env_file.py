# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an app's secret_env_file: plain YAML, so its values are data and never Ansible
templates, and no error repeats what the file holds."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.asgi.deploy.plugins.module_utils._apps import UnreadableFile

# The plain YAML loader: no Ansible tags (!unsafe, !vault), so nothing is trusted as a template.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_secret_env_file(text):
    """The mapping the file's text holds; an UnreadableFile naming only the line when it
    is not plain YAML (a parser's own message quotes the text)."""
    try:
        # str(): a vaulted file's text comes as an object that decrypts when made a string.
        data = yaml.load(str(text), Loader=_LOADER)  # nosec B506: the safe loader
    except yaml.YAMLError as exc:
        # Where the broken item starts (an unclosed quote is found only at the end), else where it broke.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        where = " at line %d" % (mark.line + 1) if mark is not None else ""
        return UnreadableFile("is not plain YAML%s (tags such as !vault or !unsafe are not read there: "
                              "encrypt the whole file with ansible-vault instead)" % where)
    return {} if data is None else data


def load_secret_env_files(texts):
    """{app name: what its file holds} from {app name: the file's text, or None when the
    file is missing}."""
    return dict((name, None if text is None else load_secret_env_file(text))
                for name, text in (texts or {}).items())
