# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every role's meta/argument_specs.yml and defaults/main.yml name the same variables with
the same defaults, so the documented defaults are the ones the role really uses."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest
import yaml

ROLES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles')
ROLES = sorted(name for name in os.listdir(ROLES_DIR)
               if os.path.isfile(os.path.join(ROLES_DIR, name, 'meta', 'argument_specs.yml')))


def load(role, *path):
    with open(os.path.join(ROLES_DIR, role, *path)) as handle:
        return yaml.safe_load(handle) or {}


def is_template(value):
    return isinstance(value, str) and '{{' in value


def drift(spec_options, defaults):
    """Readable differences between the main entry point's options and the role's defaults."""
    problems = []
    for name in sorted(set(defaults) - set(spec_options)):
        problems.append('%s is in defaults/main.yml but not in meta/argument_specs.yml' % name)
    for name, spec in sorted(spec_options.items()):
        spec = spec or {}
        if spec.get('required'):
            if name in defaults:
                problems.append('%s is required in meta/argument_specs.yml but has a default in defaults/main.yml' % name)
        elif name not in defaults:
            problems.append('%s is in meta/argument_specs.yml but not in defaults/main.yml' % name)
        elif not is_template(defaults[name]) and spec.get('default') != defaults[name]:
            problems.append('%s defaults to %r in defaults/main.yml but %r in meta/argument_specs.yml'
                            % (name, defaults[name], spec.get('default')))
    return problems


def test_every_role_has_argument_specs():
    assert set(ROLES) == set(name for name in os.listdir(ROLES_DIR) if os.path.isdir(os.path.join(ROLES_DIR, name)))


@pytest.mark.parametrize('role', ROLES)
def test_argument_specs_match_defaults(role):
    options = load(role, 'meta', 'argument_specs.yml')['argument_specs']['main'].get('options') or {}
    defaults_file = os.path.join(ROLES_DIR, role, 'defaults', 'main.yml')
    defaults = load(role, 'defaults', 'main.yml') if os.path.isfile(defaults_file) else {}
    assert drift(options, defaults) == []


@pytest.mark.parametrize('options,defaults,problem', [
    ({'x_a': {'default': 1}}, {'x_a': 1, 'x_b': 2}, 'x_b is in defaults/main.yml but not in meta/argument_specs.yml'),
    ({'x_a': {'default': 1}}, {}, 'x_a is in meta/argument_specs.yml but not in defaults/main.yml'),
    ({'x_a': {'default': 1}}, {'x_a': 2}, 'x_a defaults to 2 in defaults/main.yml but 1 in meta/argument_specs.yml'),
    ({'x_a': {'required': True}}, {'x_a': []}, 'x_a is required in meta/argument_specs.yml but has a default in defaults/main.yml'),
])
def test_drift_is_reported(options, defaults, problem):
    assert drift(options, defaults) == [problem]


def test_required_options_need_no_default_and_templates_are_not_compared():
    options = {'x_apps': {'required': True}, 'x_user': {'type': 'str'}}
    assert drift(options, {'x_user': '{{ ansible_facts["user_id"] }}'}) == []
