# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.accounts: accounts checked, an account another made refused, and only the
commands that make what differs."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._accounts import (
    AccountsError, checked, commands, conflicts, host_groups, host_users)
from ansible_collections.asgi.deploy.plugins.filter.account_changes import FilterModule as ChangesFilter
from ansible_collections.asgi.deploy.plugins.filter.account_conflicts import FilterModule
from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps

HELLO = {"name": "hello", "group": "hello", "home": "/srv/hello", "shell": "/usr/sbin/nologin",
         "comment": "asgi.deploy app hello"}
BUILD = {"name": "asgi-build", "group": "asgi-build", "home": "/nonexistent", "shell": "/usr/sbin/nologin",
         "comment": "asgi.deploy build user"}
OURS = {"gid": 990, "comment": "asgi.deploy app hello", "home": "/srv/hello", "shell": "/usr/sbin/nologin"}


@pytest.mark.parametrize("change, message", [
    ({"name": "Hello"}, "name 'Hello' is not a system account's name"),
    ({"name": "-o"}, "is not a system account's name"),
    ({"group": "a:b"}, "group 'a:b' is not a system account's name"),
    ({"home": "srv/hello"}, "home must be an absolute path"),
    ({"comment": "a:b"}, "comment must be text without ':'"),
    ({"uid": 0}, "an account takes exactly"),
])
def test_a_bad_account_is_refused_naming_it(change, message):
    with pytest.raises(AccountsError, match=r"accounts\[1\].*" + message):
        checked([BUILD, dict(HELLO, **change)])


def test_the_app_record_carries_its_account():
    record, = normalize_apps([{"name": "hello", "module": "hello:app", "server_names": ["hello.example.test"],
                               "source": {"type": "wheel", "path": "dist/hello-1.0-py3-none-any.whl"}}])
    assert record["account"] == HELLO
    checked([record["account"]])


@pytest.mark.parametrize("users, groups, expected", [
    ({}, {}, []),
    ({"hello": OURS}, {"hello": 990}, []),
    # A user or a group alone of that name, made by someone else, is never taken over.
    ({"hello": dict(OURS, comment="Hello World")}, {"hello": 990}, ["hello"]),
    ({}, {"hello": 1000}, ["hello"]),
])
def test_an_account_someone_else_made_conflicts(users, groups, expected):
    assert conflicts([HELLO], users, groups) == expected


# getent's lines as the asgi role's first command prints them (raw may end them with \r).
PASSWD = [
    "root:x:0:0:root:/root:/bin/bash",
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\r",
    "hello:x:990:990:asgi.deploy app hello:/srv/hello:/usr/sbin/nologin",
    "nobody:x:65534:65534:nobody, with a comma:/nonexistent:/usr/sbin/nologin",
    "",
    "not an entry",
    "broken:x:5:abc::/:/bin/sh",
]
GROUP = ["root:x:0:", "adm:x:4:syslog,someone", "hello:x:990:", "weird:x:", "sudo:x:27:\r"]


def test_getent_lines_read_as_the_module_reads_pwd_and_grp():
    assert host_users(PASSWD) == {
        "root": {"gid": 0, "comment": "root", "home": "/root", "shell": "/bin/bash"},
        "daemon": {"gid": 1, "comment": "daemon", "home": "/usr/sbin", "shell": "/usr/sbin/nologin"},
        "hello": OURS,
        "nobody": {"gid": 65534, "comment": "nobody, with a comma", "home": "/nonexistent",
                   "shell": "/usr/sbin/nologin"},
    }
    assert host_groups(GROUP) == {"root": 0, "adm": 4, "hello": 990, "sudo": 27}


@pytest.mark.parametrize("accounts, expected", [
    ([HELLO, BUILD], []),
    # A user (daemon) or a group alone (adm) the host has, and asgi.deploy did not make.
    ([dict(HELLO, name="daemon", group="daemon"), BUILD, dict(HELLO, name="adm", group="adm")], ["daemon", "adm"]),
    ([dict(HELLO, comment="asgi.deploy app other")], ["hello"]),
    ([], []),
])
def test_the_filter_finds_the_conflicts_from_getent_lines(accounts, expected):
    account_conflicts = FilterModule().filters()["account_conflicts"]
    assert account_conflicts(accounts, PASSWD, GROUP) == expected


def test_the_filter_refuses_a_bad_account():
    account_conflicts = FilterModule().filters()["account_conflicts"]
    with pytest.raises(Exception, match=r"accounts\[0\] \(-o\).*not a system account's name"):
        account_conflicts([dict(HELLO, name="-o")], PASSWD, GROUP)


def test_missing_accounts_are_made_group_first_then_left_alone():
    made = commands([BUILD, HELLO], {}, {})
    assert made == [
        ("asgi-build", [["groupadd", "--system", "asgi-build"],
                        ["useradd", "--system", "--gid", "asgi-build", "--home-dir", "/nonexistent", "--no-create-home",
                         "--shell", "/usr/sbin/nologin", "--comment", "asgi.deploy build user", "asgi-build"]]),
        ("hello", [["groupadd", "--system", "hello"],
                   ["useradd", "--system", "--gid", "hello", "--home-dir", "/srv/hello", "--no-create-home",
                    "--shell", "/usr/sbin/nologin", "--comment", "asgi.deploy app hello", "hello"]]),
    ]
    assert commands([HELLO], {"hello": OURS}, {"hello": 990}) == [("hello", [])]


@pytest.mark.parametrize("user, groups, expected", [
    (dict(OURS, home="/srv/old"), {"hello": 990}, ["usermod", "--home", "/srv/hello", "hello"]),
    (dict(OURS, shell="/bin/bash"), {"hello": 990}, ["usermod", "--shell", "/usr/sbin/nologin", "hello"]),
    (dict(OURS, gid=100), {"hello": 990, "users": 100}, ["usermod", "--gid", "hello", "hello"]),
])
def test_an_existing_account_gets_what_differs(user, groups, expected):
    assert commands([HELLO], {"hello": user}, groups) == [("hello", [expected])]


def test_a_user_whose_group_went_missing_gets_it_back():
    assert commands([HELLO], {"hello": OURS}, {}) == [
        ("hello", [["groupadd", "--system", "hello"], ["usermod", "--gid", "hello", "hello"]])]


# getent's lines of a host where the build user is made and hello is as given.
MADE_PASSWD = PASSWD + ["asgi-build:x:991:991:asgi.deploy build user:/nonexistent:/usr/sbin/nologin"]
MADE_GROUP = GROUP + ["asgi-build:x:991:"]


@pytest.mark.parametrize("accounts, passwd, group, expected", [
    ([BUILD, HELLO], MADE_PASSWD, MADE_GROUP, []),
    ([], PASSWD, GROUP, []),
    # The build user missing; then only its group.
    ([BUILD, HELLO], PASSWD, GROUP, ["asgi-build"]),
    ([BUILD, HELLO], MADE_PASSWD, GROUP, ["asgi-build"]),
    # hello's shell, home or comment differs from the line; its group went missing.
    ([BUILD, dict(HELLO, shell="/bin/sh")], MADE_PASSWD, MADE_GROUP, ["hello"]),
    ([BUILD, dict(HELLO, home="/srv/other")], MADE_PASSWD, MADE_GROUP, ["hello"]),
    ([dict(HELLO, comment="asgi.deploy app other")], PASSWD, GROUP, ["hello"]),
    ([HELLO], PASSWD, ["root:x:0:"], ["hello"]),
    # A new app beside those made.
    ([BUILD, HELLO, dict(HELLO, name="api", group="api", home="/srv/api", comment="asgi.deploy app api")],
     MADE_PASSWD, MADE_GROUP, ["api"]),
])
def test_the_changes_filter_names_what_the_module_would_change(accounts, passwd, group, expected):
    account_changes = ChangesFilter().filters()["account_changes"]
    assert account_changes(accounts, passwd, group) == expected
    assert [name for name, argvs in commands(accounts, host_users(passwd), host_groups(group)) if argvs] == expected


def test_the_changes_filter_refuses_a_bad_account():
    account_changes = ChangesFilter().filters()["account_changes"]
    with pytest.raises(Exception, match=r"accounts\[0\] \(hello\): an account takes exactly"):
        account_changes([dict(HELLO, uid=0)], PASSWD, GROUP)
