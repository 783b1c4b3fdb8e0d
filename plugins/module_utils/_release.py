# -*- coding: utf-8 -*-
# Copyright: asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt)
"""The release switch, planned: from what the host runs and what the run wants, the
steps that make the host serve the wanted release from one slot, whatever state an
earlier run left behind. Pure: the release_plan module reads the host, the release
role's tasks carry the steps out.

The host's state is a dict:
  live_slot      the slot live.sock links to (None: nothing serves). The truth: nginx
                 connects through live.sock.
  current_slot   the slot the `current` link names: the last switch that was recorded.
                 It differs from live_slot when a run stopped between the swap of
                 live.sock and the record of the switch.
  previous       the release the `previous` link names (None: none).
  releases       {release: built-at timestamp} of the finished builds on the host.
  slots          {slot: {release, fingerprint, active, socket_active, enabled}}: the
                 release the slot's link names, the fingerprint stored when its
                 configuration was written, the ActiveState of its service and socket, and
                 whether it starts at boot.
  live_healthy   whether the live slot answered its health path just now.
The wanted state:
  rollback       going back (True) or forward (False).
  release        forward: the release the app role built. Back: the release named, or
                 None for `previous`.
  staged         {file name: sha256 of its content, None: absent} of the configuration
                 the roles staged for the next switch.
  stored         {release: fingerprint} of the configurations kept with the releases
                 that went live: a rollback runs its target with the one it last ran with.
  kept_files     {release: [file name]} of those configurations.
  slot_files     the names of the files a slot's configuration has now (staged).
  hooks          the app's commands among pre_activate and pre_rollback this plan may
                 run (switch_hooks).
  once           plan the fleet's once phase (pre_activate_once): its hook step alone,
                 run on one host before any host switches.
  keep           releases kept per app.
  releases_dir, release_configs_dir
                 where the releases and the configurations kept with them are.
  drain_seconds  how long a slot that served keeps its open connections after the swap.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import posixpath
import re

SLOTS = ("a", "b")
# A release id names a directory under releases/: no '/', no leading '.', so never '..'.
RELEASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# systemd ActiveStates of a service whose process runs or is coming up.
UP_STATES = ("active", "activating", "reloading")
# The steps, in the order the release role's tasks carry them out.
STEPS = (
    "record",        # finish the record of a switch an earlier run made (current, previous)
    "retire_idle",   # stop and disable a slot that is neither live nor wanted
    "reset_failed",  # clear a failed slot's units (start limit), so it can start at once
    "link",          # point the candidate slot at the target release
    "configure",     # write the candidate's configuration and store its fingerprint
    "hook",          # pre_activate (forward) or pre_rollback (back), unless run once for the fleet
    "start",         # start the candidate on its own socket
    "probe",         # its health, on its own socket
    "swap",          # live.sock to the candidate's socket: new connections go there
    "commit",        # current, previous, the configuration kept with the release, enable
    "retire_old",    # drain, then stop and disable the slot that served before
    "enable_live",   # a live slot that does not start at boot
    "prune",         # releases beyond the ones kept
)


class PlanError(Exception):
    """The wanted state cannot be reached: the message says why, nothing was changed."""


def check_release_id(release, field="release"):
    if not isinstance(release, str) or not RELEASE_ID.match(release):
        raise PlanError("%s: %r is not a release id (a letter or digit first, then letters, digits, "
                        "'.', '_' or '-', 64 characters at most)" % (field, release))
    return release


def release_path(releases_dir, release):
    """The directory of `release`, asserted to be directly inside releases_dir."""
    check_release_id(release)
    path = posixpath.normpath(posixpath.join(releases_dir, release))
    if posixpath.dirname(path) != posixpath.normpath(releases_dir):
        raise PlanError("%s is not inside %s" % (path, releases_dir))
    return path


def switch_hooks(app, once):
    """The app's hook commands a plan runs: those of every host's switch (once=False), or
    those of the fleet's once phase (once=True). With pre_activate_once both migration hooks
    move to the once phase: run on every host, a migration (or a downgrade) runs N times."""
    hooks = [hook for hook in ("pre_activate", "pre_rollback") if app.get(hook)]
    return hooks if bool(app.get("pre_activate_once")) == once else []


def fingerprint(release, file_hashes):
    """One hash of a release and its configuration files ({name: sha256, None: absent})."""
    digest = hashlib.sha256()
    for name, value in [("release", release)] + sorted(file_hashes.items()):
        digest.update(("%s\0%s\0" % (name, "-" if value is None else value)).encode("utf-8"))
    return digest.hexdigest()


def other(slot):
    return SLOTS[1 - SLOTS.index(slot)]


def _is_up(slot_state):
    return slot_state.get("active") in UP_STATES


def rollback_target(state, wanted):
    """The release a rollback goes to, or a PlanError that says why there is none."""
    live_release = _live_release(state)
    target = wanted.get("release")
    if target is None:
        target = _recorded_previous(state)
        if target is None:
            raise PlanError("there is no previous release to go back to (live: %s)" % (live_release or "none"))
    check_release_id(target, "release_rollback_to")
    if target not in state["releases"]:
        raise PlanError("release %s is not on the host; the releases there are %s (live: %s)"
                        % (target, ", ".join(sorted(state["releases"])) or "none", live_release or "none"))
    if target == live_release:
        raise PlanError("release %s is already live: there is nothing to go back to" % target)
    return target


def _live_release(state):
    live = state.get("live_slot")
    return state["slots"][live].get("release") if live else None


def _recorded_previous(state):
    """`previous` as it is once an unrecorded switch is recorded: the release the slot
    `current` names was live before live.sock moved on."""
    live, current = state.get("live_slot"), state.get("current_slot")
    if live and current and current != live:
        return state["slots"][current].get("release") or state.get("previous")
    return state.get("previous")


def plan(state, wanted):
    """The steps from `state` to `wanted`, a list of {"step": name, ...} in STEPS order,
    and what the app looks like after them."""
    slots = state["slots"]
    live = state.get("live_slot")
    live_release = _live_release(state)
    target = rollback_target(state, wanted) if wanted["rollback"] else check_release_id(wanted["release"])
    steps = []

    # A rollback runs its target with the configuration kept with it when it last served.
    from_release = wanted["rollback"] and target in wanted["stored"]
    wanted_fingerprint = wanted["stored"][target] if from_release else fingerprint(target, wanted["staged"])

    previous = _recorded_previous(state)
    if live and (state.get("current_slot") != live or previous != state.get("previous")):
        steps.append({"step": "record", "current": live, "previous": previous})

    live_serves = bool(live) and _is_up(slots[live]) and bool(state.get("live_healthy"))
    switch = (not live_serves or live_release != target
              or slots[live].get("fingerprint") != wanted_fingerprint)
    candidate = (other(live) if live else SLOTS[0]) if switch else None
    # The slot that served before an interrupted record still holds its clients: they drain.
    served = state.get("current_slot") if state.get("current_slot") != live else None

    for slot in SLOTS:
        if slot == live:
            continue
        if _is_up(slots[slot]) or slots[slot].get("enabled"):
            steps.append({"step": "retire_idle", "slot": slot,
                          "drain_seconds": wanted["drain_seconds"] if slot == served and _is_up(slots[slot]) else 0})
    for slot in SLOTS:
        failed = [unit for unit, key in (("service", "active"), ("socket_unit", "socket_active"))
                  if slots[slot].get(key) == "failed"]
        if failed:
            steps.append({"step": "reset_failed", "slot": slot, "units": failed})

    if switch:
        steps.append({"step": "link", "slot": candidate, "release": target})
        configure = {"step": "configure", "slot": candidate, "release": target,
                     "source": "release" if from_release else "staged", "fingerprint": wanted_fingerprint}
        if from_release:
            # A file the release never served with (a process added since) comes from the
            # staged configuration: the rollback goes through instead of failing on it.
            kept = set(wanted.get("kept_files", {}).get(target, ()))
            configure["staged_only"] = [name for name in wanted.get("slot_files", ()) if name not in kept]
        steps.append(configure)
        # pre_rollback runs with the live (newer) release, whose code knows how to undo its
        # migrations; pre_activate with the candidate.
        hook, hook_slot = ("pre_rollback", live) if wanted["rollback"] else ("pre_activate", candidate)
        if hook in wanted["hooks"] and hook_slot:
            # The once phase comes before the candidate is configured: pre_activate runs
            # with the target release and the staged environment the candidate will get.
            staged = wanted.get("once") and not wanted["rollback"]
            steps.append({"step": "hook", "slot": hook_slot, "hook": hook,
                          "release": live_release if wanted["rollback"] else target,
                          "env": "staged" if staged else "slot"})
        steps.append({"step": "start", "slot": candidate})
        steps.append({"step": "probe", "slot": candidate})
        steps.append({"step": "swap", "slot": candidate})
        # `previous` names the release that served before this switch, never the target.
        new_previous = live_release if live_release and live_release != target else previous
        if new_previous == target:
            new_previous = None
        steps.append({"step": "commit", "slot": candidate, "release": target, "current": candidate,
                      "previous": new_previous})
        if live:
            steps.append({"step": "retire_old", "slot": live,
                          "drain_seconds": wanted["drain_seconds"] if _is_up(slots[live]) else 0})
        after_live, after_previous = candidate, new_previous
    else:
        if not slots[live].get("enabled"):
            steps.append({"step": "enable_live", "slot": live})
        after_live, after_previous = live, previous

    keep_releases = {target, after_previous} | set(slots[s].get("release") for s in SLOTS)
    keep_releases.discard(None)
    prunable = sorted((r for r in state["releases"] if r not in keep_releases),
                      key=lambda r: (state["releases"][r], r), reverse=True)
    prune = sorted(prunable[max(wanted["keep"] - len(keep_releases), 0):])
    if wanted.get("once"):
        steps = [step for step in steps if step["step"] == "hook"]
    elif prune:
        # Each path checked to be a release's own directory before anything is deleted.
        paths = [release_path(directory, release) for release in prune
                 for directory in (wanted["releases_dir"], wanted["release_configs_dir"])]
        steps.append({"step": "prune", "releases": prune, "paths": paths})

    return {
        "steps": steps,
        "switch": switch,
        "target": target,
        "candidate": candidate,
        "live_slot": after_live,
        "previous": after_previous,
        "fingerprint": wanted_fingerprint,
        "changed": bool(steps),
    }


def release_apps(apps, rollback, names, targets):
    """The app records a run switches: every app going forward; rolling back, the ones
    named in `names` or in `targets` ({app: release}), each checked. A host with one app
    rolls it back when none is named; with several, naming is required."""
    if not rollback:
        return list(apps)
    known = [app["name"] for app in apps]
    named = list(names or []) + [name for name in (targets or {}) if name not in (names or [])]
    unknown = [name for name in named if name not in known]
    if unknown:
        raise PlanError("release_rollback_apps/release_rollback_to: %s %s not an app of this host (its apps: %s)"
                        % (", ".join(map(str, unknown)), "is" if len(unknown) == 1 else "are", ", ".join(known)))
    for name, release in (targets or {}).items():
        check_release_id(release, "release_rollback_to[%s]" % name)
    if not named:
        if len(known) > 1:
            raise PlanError("name the apps to roll back in release_rollback_apps (or release_rollback_to): "
                            "this host runs %s" % ", ".join(known))
        named = known
    return [app for app in apps if app["name"] in named]
