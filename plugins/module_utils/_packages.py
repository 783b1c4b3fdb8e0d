# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debian packages installed when missing (asgi.deploy.packages): which of the names
dpkg reports as installed, and the apt-get commands that install the rest. The roles'
apt tasks cost about a second each for nothing to install; dpkg-query answers in a few
milliseconds, so a converge with nothing to install runs no module for them. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# A package name as Debian policy allows it, with an optional architecture.
PACKAGE = re.compile(r"^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$")
# One line per package dpkg knows: its status abbreviation ("ii " installed), a tab, its name.
QUERY_FORMAT = "${db:Status-Abbrev}\\t${Package}\\n"
# As ansible.builtin.apt runs apt-get: no question, a changed configuration file keeps the host's.
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true"}
APT_OPTIONS = ["-y", "-q", "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"]


class PackagesError(ValueError):
    pass


def checked(names):
    """The names, each once, in order; PackagesError names the first that is no package name
    (none starts with '-', so none reads as an option on a command line)."""
    result = []
    for name in names:
        if not isinstance(name, str) or not PACKAGE.match(name):
            raise PackagesError("%r is not a Debian package name" % (name,))
        if name not in result:
            result.append(name)
    return result


def query_argv(names):
    return ["dpkg-query", "--show", "--showformat", QUERY_FORMAT] + list(names)


def missing(names, output):
    """The names dpkg-query's output does not report installed (a package dpkg does not
    know is left out of its output)."""
    installed = set()
    for line in output.splitlines():
        status, _tab, package = line.partition("\t")
        if status.startswith("ii"):
            installed.add(package.strip())
    return [name for name in names if name.split(":", 1)[0] not in installed]


def install_argv(names):
    return ["apt-get"] + APT_OPTIONS + ["install"] + list(names)


def cache_is_stale(cache_mtime, now, valid_seconds):
    """Whether apt's package lists must be updated first: none yet, or older than valid_seconds."""
    return cache_mtime is None or now - cache_mtime > valid_seconds
