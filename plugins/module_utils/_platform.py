# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The host's distribution from its /etc/os-release, named as Ansible's facts name it
(os_family, distribution, distribution_major_version): the collection's playbooks read
that file with the command that reads the host's nginx server names, instead of running
the setup module (its fact collectors cost more than a second per run). Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import shlex

# Ansible's names of the distributions of the families the roles know, by os-release ID.
_DISTRIBUTIONS = {
    "debian": "Debian", "ubuntu": "Ubuntu", "raspbian": "Debian", "linuxmint": "Linux Mint",
    "rhel": "RedHat", "centos": "CentOS", "rocky": "Rocky", "almalinux": "AlmaLinux", "ol": "OracleLinux",
    "fedora": "Fedora",
}
_FAMILIES = (("Debian", ("debian", "ubuntu")), ("RedHat", ("rhel", "fedora", "centos")))


class PlatformError(ValueError):
    pass


def os_release(text):
    """The KEY=value lines of an os-release file (its text, or its lines), values unquoted
    as a shell reads them."""
    fields = {}
    for line in text.splitlines() if isinstance(text, str) else text:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        try:
            words = shlex.split(value)
        except ValueError:
            raise PlatformError("/etc/os-release: %s has an unterminated quote" % key)
        fields[key] = " ".join(words)
    return fields


def distribution_facts(text):
    """{"os_family", "distribution", "distribution_major_version"} of an os-release file.
    A distribution of neither family is its own family (its NAME), which the roles refuse
    by name."""
    fields = os_release(text)
    ident = fields.get("ID", "").lower()
    if not ident:
        raise PlatformError("/etc/os-release names no ID: the host's distribution is unknown")
    related = [ident] + fields.get("ID_LIKE", "").lower().split()
    name = _DISTRIBUTIONS.get(ident, fields.get("NAME", ident))
    family = next((family for family, members in _FAMILIES if any(word in members for word in related)), name)
    return {"os_family": family, "distribution": name,
            "distribution_major_version": fields.get("VERSION_ID", "").split(".")[0]}
