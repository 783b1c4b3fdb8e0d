# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One-off commands (asgi.deploy.run), decided: which app, which slot serves it, and the
systemd-run command line that runs the command there as the app's live slot runs: its
user, its environment file, the live release's venv, and the sandbox of the slot's own
drop-in. Pure: no Ansible imports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re

DIRECTIVE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
# The drop-in's settings that are no part of the sandbox a command runs in.
NOT_SANDBOX = ("TimeoutStopSec",)


class RunError(ValueError):
    """The command cannot run; nothing was run."""


def run_app(apps, name):
    """The record of the app named, checked to be one of the host's."""
    known = [app["name"] for app in apps]
    if not isinstance(name, str) or name not in known:
        raise RunError("app: %r is not an app of this host (its apps: %s); name one with -e app=NAME"
                       % (name, ", ".join(known)))
    return apps[known.index(name)]


def live_slot(app, link_target):
    """The slot live.sock names (link_target: where the link points, None without one)."""
    for slot, paths in sorted(app["slots"].items()):
        if link_target == paths["socket"]:
            return slot
    raise RunError("%s has no live release (%s %s): deploy it first"
                   % (app["name"], app["live_socket_link"], "is missing" if link_target is None
                      else "names " + str(link_target)))


def sandbox_properties(dropin):
    """--property= arguments of the sandbox directives in a slot's service drop-in (the
    text of 50-asgi-deploy.conf); '%%' in the file is one '%' on a command line. Its
    [Unit] section (the slot's OnFailure= alert) is no part of the sandbox."""
    properties, section = [], None
    for line in dropin.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        directive, equals, value = line.partition("=")
        if section not in ("[Unit]", "[Service]") or not equals or not DIRECTIVE.match(directive):
            raise RunError("cannot read the slot's drop-in at %r" % line)
        if section == "[Service]" and directive not in NOT_SANDBOX:
            properties.append("--property=%s=%s" % (directive, value.replace("%%", "%")))
    return properties


def run_argv(app, link_target, command, dropins, unparsed=None):
    """The command line that runs `command` (a shell command) in the app's live slot:
    the one live.sock names (link_target), with its drop-in (dropins: {slot: the drop-in's
    content, base64-encoded as slurp reads it}). unparsed: the words of -e that Ansible
    read as no key=value (-e "command=a b" gives command "a" and leaves "b")."""
    if unparsed:
        raise RunError("command: Ansible split -e command=... at its first blank (it read %r and left %r): "
                       "quote the command, -e \"command='...'\", or give JSON, -e '{\"command\": \"...\"}'"
                       % (command, unparsed))
    if not isinstance(command, str) or not command.strip() or "\x00" in command:
        raise RunError("command: expected a shell command (-e \"command='...'\")")
    slot = live_slot(app, link_target)
    if not dropins.get(slot):
        raise RunError("the live slot %s of %s has no drop-in %s: deploy it again"
                       % (slot, app["name"], app["slots"][slot]["service_dropin"]))
    dropin = base64.b64decode(dropins[slot]).decode("utf-8")
    paths = app["slots"][slot]
    return [
        "systemd-run", "--quiet", "--wait", "--pipe", "--collect", "--service-type=exec",
        "--uid=%s" % app["user"], "--gid=%s" % app["group"],
        "--property=EnvironmentFile=%s" % paths["env_file"],
        "--property=WorkingDirectory=%s" % app["shared_dir"],
        "--setenv=PATH=%s/venv/bin:/usr/local/bin:/usr/bin:/bin" % paths["link"],
        # Nothing from the app-writable working directory is imported.
        "--setenv=PYTHONSAFEPATH=1",
    ] + sandbox_properties(dropin) + [
        # systemd would expand $VARIABLES itself; "$$" leaves them to the shell.
        "/bin/sh", "-c", command.replace("$", "$$"),
    ]
