# -*- coding: utf-8 -*-
# Copyright: asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt)
"""The per-app deploy lock, decided: who holds it, whether the holder is gone, and what a
run that wants it does. The holder is the controller's ansible-playbook process (host,
PID and that process's start time, so a reused PID is not taken for it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

ACQUIRE, REENTER, TAKE_OVER, WAIT = "acquire", "reenter", "take over", "wait"


def same_holder(one, two):
    return bool(one and two) and all(one.get(key) == two.get(key) for key in ("host", "pid", "started"))


def decide(held_by, me, now, holder_alive, expire_seconds):
    """What a run (`me`) does about the lock `held_by` (None: free). holder_alive(holder)
    says whether a holder on this controller still runs; another controller's holder is
    only known gone once expire_seconds have passed since it took the lock."""
    if not held_by:
        return ACQUIRE
    if same_holder(held_by, me):
        return REENTER
    if held_by.get("host") == me.get("host") and not holder_alive(held_by):
        return TAKE_OVER
    if now - float(held_by.get("since", 0)) > expire_seconds:
        return TAKE_OVER
    return WAIT


def describe(holder):
    since = holder.get("since")
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(since))) if since is not None else "an unknown time"
    return "%s on %s (PID %s, since %s)" % (holder.get("user", "someone"), holder.get("host", "an unknown host"),
                                            holder.get("pid", "?"), when)
