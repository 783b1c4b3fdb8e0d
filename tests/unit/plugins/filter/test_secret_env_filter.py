# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.asgi.deploy.plugins.filter.apps import asgi_apps_normalize
from ansible_collections.asgi.deploy.plugins.filter.secret_env import FilterModule

APP = {"name": "hello", "module": "hello_asgi.main:app", "server_names": ["hello.example.test"],
       "source": {"type": "wheel", "path": "dist/hello-1.0-py3-none-any.whl"},
       "secret_env": {"A": "a{{b"}, "secret_env_file": "hello.yml"}
secret_env = FilterModule().filters()["asgi_apps_secret_env"]


def test_the_filters_read_the_file_text_as_data():
    text = 'B: "{{ lookup(\'pipe\', \'id\') }}"\nC: |\n  x\n  y\n'
    assert secret_env([APP], {"hello": text}) == {"hello": {"A": "a{{b", "B": "{{ lookup('pipe', 'id') }}",
                                                            "C": "x\ny\n"}}
    record, = asgi_apps_normalize([APP], secret_env_files={"hello": text})
    assert record["secret_env_names"] == ["A", "B", "C"]


@pytest.mark.parametrize("apply", [secret_env, lambda apps, files: asgi_apps_normalize(apps, secret_env_files=files)])
def test_a_broken_file_fails_with_the_field_not_its_text(apply):
    with pytest.raises(AnsibleFilterError) as error:
        apply([APP], {"hello": "A: ok\nB: 'canary-3c1d\n"})
    assert str(error.value).startswith("asgi_apps[hello].secret_env_file: hello.yml is not plain YAML at line 2")
    assert "canary" not in str(error.value)
