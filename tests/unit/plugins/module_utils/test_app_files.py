# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the app role writes for every app in one call: each app's directories, for whom;
its staged environment file with its secrets, root's only; its builds' index settings,
credentials and all, only when it names an index; where its release's build marker lies."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._app_files import app_files, index_settings
from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._files import checked
from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError

SHOP = {
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.example.test"],
    "source": {"type": "wheel", "path": "dist/shop-1.0-py3-none-any.whl"},
}
PRIVATE = {
    "name": "private",
    "module": "private.main:app",
    "server_names": ["private.example.test"],
    "source": {"type": "pypi", "spec": "private==2.0", "index_url": "https://deploy:s3cret@pypi.example.test/simple",
               "extra_index_url": "https://pypi.org/simple"},
}
BUILD_DIR = "/etc/asgi-deploy/build"


def files_of(raw_apps, releases=None, secret_env=None):
    records = normalize_apps(raw_apps)
    releases = releases or dict((app["name"], "r-000000000001") for app in raw_apps)
    return app_files(records, raw_apps, secret_env or {}, releases, BUILD_DIR, "asgi-build")


@pytest.mark.parametrize("source, expected", [
    ({"type": "wheel", "path": "x.whl"}, {}),
    ({"type": "pypi", "spec": "x", "index_url": "https://a.test/simple"}, {"index-url": "https://a.test/simple"}),
    ({"type": "pypi", "spec": "x", "extra_index_url": "https://b.test/simple"}, {"extra-index-url": "https://b.test/simple"}),
    ({"type": "pypi", "spec": "x", "index_url": "", "extra_index_url": None}, {}),
])
def test_index_settings_are_the_pip_keys_the_source_sets(source, expected):
    assert index_settings(source) == expected


def test_each_app_gets_its_directories_in_order_for_whom_they_are():
    directories = [(entry["path"], entry["owner"], entry["group"], entry["mode"])
                   for entry in files_of([SHOP])["directories"]]
    assert directories == [
        ("/srv/shop", "root", "root", "0755"),
        ("/srv/shop/releases", "root", "root", "0755"),
        ("/srv/shop/slots", "root", "root", "0755"),
        ("/srv/shop/workdir", "root", "root", "0755"),
        ("/srv/shop/shared", "shop", "shop", "0750"),
        ("/etc/asgi-deploy/shop", "root", "shop", "0750"),
        ("/etc/asgi-deploy/shop/staged", "root", "root", "0700"),
    ]


def test_the_apps_follow_each_other_and_every_entry_is_one_the_files_module_takes():
    result = files_of([SHOP, PRIVATE])
    assert [entry["path"] for entry in result["directories"]][::7] == ["/srv/shop", "/srv/private"]
    checked(result["directories"])
    # The action plugin renders a template entry into its content.
    rendered = [dict((key, value) for key, value in entry.items() if key not in ("template", "template_vars"))
                for entry in result["staged"]]
    checked([dict(entry, content="") for entry in rendered])


def test_the_environment_file_holds_the_secrets_for_root_alone():
    [env] = files_of([SHOP], secret_env={"shop": {"API_KEY": "k{e}y"}})["staged"]
    assert (env["path"], env["template"], env["owner"], env["group"], env["mode"]) == \
        ("/etc/asgi-deploy/shop/staged/env", "env.j2", "root", "root", "0600")
    assert env["template_vars"]["_app_secret_env"] == {"API_KEY": "k{e}y"}
    assert env["template_vars"]["app"]["name"] == "shop"


def test_an_app_without_an_index_of_its_own_has_no_index_settings():
    result = files_of([SHOP])
    assert result["index_files"] == {"shop": {}}
    assert [entry["path"] for entry in result["staged"]] == ["/etc/asgi-deploy/shop/staged/env"]


def test_an_app_with_an_index_gets_pip_and_uv_settings_readable_by_the_build_user_with_the_credentials():
    result = files_of([SHOP, PRIVATE])
    assert result["index_files"]["private"] == {"pip": BUILD_DIR + "/private-pip.conf", "uv": BUILD_DIR + "/private-uv.toml"}
    settings = [entry for entry in result["staged"] if entry["path"].startswith(BUILD_DIR)]
    assert [(entry["path"], entry["template"], entry["owner"], entry["group"], entry["mode"]) for entry in settings] == [
        (BUILD_DIR + "/private-pip.conf", "pip.conf.j2", "root", "asgi-build", "0640"),
        (BUILD_DIR + "/private-uv.toml", "uv.toml.j2", "root", "asgi-build", "0640"),
    ]
    # The record's source has the credentials redacted; the settings keep them.
    assert settings[0]["template_vars"]["_app_pip_indexes"] == {
        "index-url": "https://deploy:s3cret@pypi.example.test/simple", "extra-index-url": "https://pypi.org/simple"}


def test_env_files_and_markers_by_app_name():
    result = files_of([SHOP, PRIVATE], releases={"shop": "r-aaaaaaaaaaaa", "private": "2.0"})
    assert result["env_files"] == {"shop": "/etc/asgi-deploy/shop/staged/env",
                                   "private": "/etc/asgi-deploy/private/staged/env"}
    assert result["markers"] == {"shop": "/srv/shop/releases/r-aaaaaaaaaaaa/release.json",
                                 "private": "/srv/private/releases/2.0/release.json"}


@pytest.mark.parametrize("release", ["../other", "a/b", ""])
def test_a_release_id_that_leaves_the_releases_directory_fails(release):
    with pytest.raises(PlanError):
        files_of([SHOP], releases={"shop": release})
