# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.asgi.deploy.plugins.module_utils import _escape

# Each escaping filter: a value it writes, and one it must refuse.
FILTERS = [
    ("env_value", "a b", None),
    ("nginx_string", "a b", "a$b"),
    ("python_literal", "a b", {1, 2}),
    ("shell_word", "a b", "a\x00b"),
    ("systemd_value", "a b", "a\nb"),
]


@pytest.mark.parametrize("name, good, bad", FILTERS)
def test_filter_applies_its_escaper_and_names_itself_when_it_refuses(name, good, bad):
    module = importlib.import_module("ansible_collections.asgi.deploy.plugins.filter." + name)
    apply = module.FilterModule().filters()[name]
    assert apply(good) == getattr(_escape, name)(good)
    with pytest.raises(AnsibleFilterError) as error:
        apply(bad)
    assert str(error.value).startswith("asgi.deploy.%s: " % name)
