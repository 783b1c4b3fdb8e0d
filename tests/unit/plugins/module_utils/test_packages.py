# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.packages: names checked, dpkg's answer read, the rest installed by apt-get."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._packages import (
    PackagesError, cache_is_stale, checked, install_argv, missing, query_argv)


@pytest.mark.parametrize("name", ["-y", "--reinstall", "Nginx", "nginx;id", "a", "nginx exporter", 3, None])
def test_what_is_no_package_name_is_refused_naming_it(name):
    with pytest.raises(PackagesError, match="is not a Debian package name"):
        checked(["nginx", name])


def test_names_are_kept_in_order_once():
    assert checked(["nginx", "python3.13-venv", "libc6:amd64", "g++", "nginx"]) == [
        "nginx", "python3.13-venv", "libc6:amd64", "g++"]


@pytest.mark.parametrize("output, expected", [
    ("ii \tnginx\nii \tgit\n", ["redis-server"]),
    # Removed with its configuration left ("rc"), unpacked but not configured ("iU"), and unknown to dpkg.
    ("rc \tnginx\niU \tgit\n", ["nginx", "git", "redis-server"]),
    ("ii \tnginx\n", ["git", "redis-server"]),
    ("", ["nginx", "git", "redis-server"]),
])
def test_only_what_dpkg_reports_installed_counts(output, expected):
    assert missing(["nginx", "git", "redis-server"], output) == expected


def test_an_architecture_is_matched_on_the_package_name():
    assert missing(["libc6:amd64"], "ii \tlibc6\n") == []


def test_the_commands():
    assert query_argv(["nginx", "git"]) == ["dpkg-query", "--show", "--showformat", "${db:Status-Abbrev}\\t${Package}\\n",
                                            "nginx", "git"]
    assert install_argv(["nginx"])[-2:] == ["install", "nginx"]
    assert "Dpkg::Options::=--force-confold" in install_argv(["nginx"])


@pytest.mark.parametrize("mtime, stale", [(None, True), (1000.0, False), (1000.0 - 3601, True)])
def test_the_lists_are_updated_when_older_than_valid(mtime, stale):
    assert cache_is_stale(mtime, 1000.0 + 0, 3600) is stale
