# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System accounts made as given, in one module call (asgi.deploy.accounts): from the
host's users and groups, the groupadd, useradd and usermod commands that make each
account, and the names that already belong to an account asgi.deploy did not make (its
comment differs), which are refused before anything changes: by the module, and by the
role asgi.deploy.asgi from `getent`'s lines before any module runs. A group and a user task
per app cost two module runs each; from the same lines, the role asgi.deploy.app runs the
module only when an account differs (changed). Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

KEYS = ("name", "group", "home", "shell", "comment")
# As useradd's default NAME_REGEX allows a system account's name.
NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class AccountsError(ValueError):
    pass


def checked(accounts):
    for index, account in enumerate(accounts):
        where = "accounts[%d] (%s)" % (index, account.get("name", "no name"))
        if sorted(account) != sorted(KEYS):
            raise AccountsError("%s: an account takes exactly %s" % (where, ", ".join(KEYS)))
        for key in ("name", "group"):
            if not isinstance(account[key], str) or not NAME.match(account[key]):
                raise AccountsError("%s: %s %r is not a system account's name" % (where, key, account[key]))
        for key in ("home", "shell"):
            if not isinstance(account[key], str) or not account[key].startswith("/"):
                raise AccountsError("%s: %s must be an absolute path" % (where, key))
        if not isinstance(account["comment"], str) or ":" in account["comment"] or "\n" in account["comment"]:
            raise AccountsError("%s: comment must be text without ':' or a line break" % where)
    return list(accounts)


def host_users(passwd_lines):
    """{name: {"gid", "comment", "home", "shell"}} of `getent passwd`'s lines, as the
    module reads them from pwd; a line that is no passwd entry is skipped."""
    users = {}
    for line in passwd_lines:
        fields = line.rstrip("\r").split(":")
        if len(fields) == 7 and fields[0] and fields[3].isdigit():
            users[fields[0]] = {"gid": int(fields[3]), "comment": fields[4], "home": fields[5], "shell": fields[6]}
    return users


def host_groups(group_lines):
    """{name: gid} of `getent group`'s lines, as the module reads them from grp."""
    groups = {}
    for line in group_lines:
        fields = line.rstrip("\r").split(":")
        if len(fields) == 4 and fields[0] and fields[2].isdigit():
            groups[fields[0]] = int(fields[2])
    return groups


def conflicts(accounts, users, groups):
    """The names of accounts that exist as a user or group of the host but not as the user
    this account's comment marks: asgi.deploy did not make them, and never takes them over.
    users: {name: {"gid", "comment", "home", "shell"}}; groups: {name: gid}."""
    return [account["name"] for account in accounts
            if (account["name"] in users or account["name"] in groups)
            and (users.get(account["name"]) or {}).get("comment") != account["comment"]]


def commands(accounts, users, groups):
    """[(name, [argv, ...])]: what makes each account as given, in order (its group first)."""
    made_groups = set(groups)
    result = []
    for account in accounts:
        argvs = []
        if account["group"] not in made_groups:
            argvs.append(["groupadd", "--system", account["group"]])
            made_groups.add(account["group"])
        user = users.get(account["name"])
        if user is None:
            argvs.append(["useradd", "--system", "--gid", account["group"], "--home-dir", account["home"],
                          "--no-create-home", "--shell", account["shell"], "--comment", account["comment"],
                          account["name"]])
        else:
            changes = []
            if account["group"] not in groups or groups[account["group"]] != user["gid"]:
                changes += ["--gid", account["group"]]
            for key, option in (("home", "--home"), ("shell", "--shell"), ("comment", "--comment")):
                if user[key] != account[key]:
                    changes += [option, account[key]]
            if changes:
                argvs.append(["usermod"] + changes + [account["name"]])
        result.append((account["name"], argvs))
    return result


def changed(accounts, users, groups):
    """The names of the accounts that commands() would change, in order: none when the host
    has every account as given."""
    return [name for name, argvs in commands(accounts, users, groups) if argvs]
