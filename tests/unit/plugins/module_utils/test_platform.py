# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A host's distribution read from its /etc/os-release, named as Ansible's distribution
facts name it, for the files the distributions really ship."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._platform import (
    PlatformError, distribution_facts, os_release)

DEBIAN_12 = '''PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
'''
DEBIAN_13 = DEBIAN_12.replace('"12"', '"13"').replace("bookworm", "trixie")
# Debian testing and sid have no VERSION_ID.
DEBIAN_SID = 'PRETTY_NAME="Debian GNU/Linux forky/sid"\nNAME="Debian GNU/Linux"\nID=debian\n'
UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n'
MINT = 'NAME="Linux Mint"\nVERSION_ID="22.1"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'
ROCKY = 'NAME="Rocky Linux"\nVERSION_ID="9.5"\nID="rocky"\nID_LIKE="rhel centos fedora"\n'
RHEL = 'NAME="Red Hat Enterprise Linux"\nVERSION_ID="9.4"\nID="rhel"\nID_LIKE="fedora"\n'
ALMA = 'NAME="AlmaLinux"\nVERSION_ID="9.5"\nID="almalinux"\nID_LIKE="rhel centos fedora"\n'
ARCH = 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n'
ALPINE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.0\n'


@pytest.mark.parametrize("text, expected", [
    (DEBIAN_12, ("Debian", "Debian", "12")),
    (DEBIAN_13, ("Debian", "Debian", "13")),
    (DEBIAN_SID, ("Debian", "Debian", "")),
    (UBUNTU, ("Debian", "Ubuntu", "24")),
    (MINT, ("Debian", "Linux Mint", "22")),
    (ROCKY, ("RedHat", "Rocky", "9")),
    (RHEL, ("RedHat", "RedHat", "9")),
    (ALMA, ("RedHat", "AlmaLinux", "9")),
    # Neither family: its own name, which the role refuses by name.
    (ARCH, ("Arch Linux", "Arch Linux", "")),
    (ALPINE, ("Alpine Linux", "Alpine Linux", "3")),
])
def test_the_distribution_is_named_as_ansibles_facts_name_it(text, expected):
    facts = distribution_facts(text)
    assert (facts["os_family"], facts["distribution"], facts["distribution_major_version"]) == expected


def test_the_lines_of_the_file_read_as_its_text():
    assert distribution_facts(DEBIAN_13.splitlines()) == distribution_facts(DEBIAN_13)


def test_values_are_read_as_a_shell_reads_them():
    fields = os_release("# a comment\n\nNAME='Some OS'\nID=\"x\"\nPRETTY_NAME=\"A \\\"quoted\\\" name\"\nnot a field\n")
    assert fields == {"NAME": "Some OS", "ID": "x", "PRETTY_NAME": 'A "quoted" name'}


@pytest.mark.parametrize("text, message", [
    ("", "names no ID"),
    ('NAME="Debian GNU/Linux"\n', "names no ID"),
    ('ID=debian\nNAME="Debian\n', "NAME has an unterminated quote"),
])
def test_an_os_release_that_names_no_distribution_is_refused(text, message):
    with pytest.raises(PlatformError, match=message):
        distribution_facts(text)
