"""The release switch planned from every state a run can leave the host in."""

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._release import (
    STEPS, PlanError, fingerprint, plan, release_apps, release_path, switch_hooks)

STAGED = {"env": "e1", "gunicorn.conf.py": "g1", "service.conf": "s1", "socket.conf": "k1"}
NEW_STAGED = dict(STAGED, env="e2")
DRAIN = 5


def fp(release, staged=None):
    return fingerprint(release, staged or STAGED)


def slot(release=None, active="inactive", enabled=False, config=None, socket_active=None):
    return {"release": release, "fingerprint": fp(release, config) if release else None,
            "active": active, "socket_active": socket_active or ("active" if enabled else "inactive"),
            "enabled": enabled}


def host(a=None, b=None, live="a", current="same", previous=None, releases=("r1", "r2"), healthy=True):
    return {
        "live_slot": live,
        "current_slot": live if current == "same" else current,
        "previous": previous,
        "releases": dict((release, index) for index, release in enumerate(releases)),
        "slots": {"a": a or slot(), "b": b or slot()},
        "live_healthy": healthy,
    }


def forward(release, staged=None, keep=5, stored=None):
    return {"rollback": False, "release": release, "staged": staged or STAGED, "stored": stored or {},
            "hooks": ["pre_activate", "pre_rollback"], "keep": keep, "drain_seconds": DRAIN,
            "releases_dir": "/srv/shop/releases", "release_configs_dir": "/etc/asgi-deploy/shop/releases"}


def back(release=None, stored=None):
    return dict(forward(None, stored=stored), rollback=True, release=release)


LIVE_R1 = slot("r1", "active", True)
SWITCH_TO_B = ["link", "configure", "hook", "start", "probe", "swap", "commit", "retire_old"]


def names(result):
    return [step["step"] for step in result["steps"]]


def step(result, name):
    return [s for s in result["steps"] if s["step"] == name][0]


# (case, host state, wanted, the step names, the live slot after, previous after)
CASES = [
    ("first-deploy", host(live=None, releases=("r1",)), forward("r1"),
     ["link", "configure", "hook", "start", "probe", "swap", "commit"], "a", None),
    ("converged", host(LIVE_R1, slot("r0"), previous="r0", releases=("r0", "r1")), forward("r1"), [], "a", "r0"),
    ("new-release", host(LIVE_R1, slot("r0"), previous="r0", releases=("r0", "r1", "r2")), forward("r2"),
     SWITCH_TO_B, "b", "r1"),
    ("new-secret-same-release", host(LIVE_R1, previous="r0", releases=("r0", "r1")), forward("r1", NEW_STAGED),
     SWITCH_TO_B, "b", "r0"),
    ("live-slot-not-enabled", host(slot("r1", "active", False)), forward("r1"), ["enable_live"], "a", None),
    ("live-starting-is-not-replaced", host(slot("r1", "activating", True)), forward("r1"), [], "a", None),
    ("live-down-goes-to-the-other-slot", host(slot("r1", "failed", True)), forward("r1"),
     ["reset_failed"] + SWITCH_TO_B, "b", None),
    ("live-unhealthy", host(LIVE_R1, healthy=False), forward("r1"), SWITCH_TO_B, "b", None),
    # A run stopped after the candidate started: it runs, unrecorded; nothing changed for nginx.
    ("stopped-after-start", host(LIVE_R1, slot("r2", "active", False)), forward("r2"),
     ["retire_idle"] + SWITCH_TO_B, "b", "r1"),
    ("stopped-after-start-then-reverted", host(LIVE_R1, slot("r2", "active", False)), forward("r1"),
     ["retire_idle"], "a", None),
    # Stopped after the swap: nginx reaches b, current still names a, previous is stale.
    ("stopped-after-swap", host(slot("r1", "active", True), slot("r2", "active", False), live="b", current="a",
                                previous="r0", releases=("r0", "r1", "r2")),
     forward("r2"), ["record", "retire_idle", "enable_live"], "b", "r1"),
    ("stopped-after-commit", host(slot("r1", "active", True), slot("r2", "active", True), live="b",
                                  previous="r1"), forward("r2"), ["retire_idle"], "b", "r1"),
    ("stopped-after-swap-then-newer", host(slot("r1", "active", True), slot("r2", "active", False), live="b",
                                           current="a", previous="r0", releases=("r0", "r1", "r2", "r3")),
     forward("r3"), ["record", "retire_idle", "link", "configure", "hook", "start", "probe", "swap", "commit",
                     "retire_old"], "a", "r2"),
    ("failed-candidate-retried", host(LIVE_R1, slot("r2", "failed", False), releases=("r1", "r2")), forward("r2"),
     ["reset_failed"] + SWITCH_TO_B, "b", "r1"),
    ("stray-enabled-idle", host(LIVE_R1, slot("r0", "inactive", True), previous="r0", releases=("r0", "r1")),
     forward("r1"), ["retire_idle"], "a", "r0"),
    ("rollback", host(slot("r2", "active", True), slot("r1"), previous="r1", releases=("r1", "r2")),
     back(stored={"r1": "stored-fp"}), SWITCH_TO_B, "b", "r2"),
    ("rollback-to-named", host(slot("r3", "active", True), slot("r2"), previous="r2", releases=("r1", "r2", "r3")),
     back("r1"), SWITCH_TO_B, "b", "r3"),
    ("rollback-after-interrupted-swap", host(slot("r1", "active", True), slot("r2", "active", False), live="b",
                                             current="a", previous="r0", releases=("r0", "r1", "r2")),
     back(), ["record", "retire_idle", "link", "configure", "hook", "start", "probe", "swap", "commit",
              "retire_old"], "a", "r2"),
]


@pytest.mark.parametrize("case, state, wanted, expected, live_after, previous_after", CASES,
                         ids=[case[0] for case in CASES])
def test_plan(case, state, wanted, expected, live_after, previous_after):
    result = plan(state, wanted)
    assert names(result) == expected
    assert result["live_slot"] == live_after
    assert result["previous"] == previous_after
    order = [STEPS.index(name) for name in names(result)]
    assert order == sorted(order), "steps out of the order the tasks run them in"


def test_a_slot_at_its_start_limit_has_its_service_and_socket_reset():
    state = host(LIVE_R1, slot("r2", "failed", False, socket_active="failed"))
    assert step(plan(state, forward("r2")), "reset_failed") == {
        "step": "reset_failed", "slot": "b", "units": ["service", "socket_unit"]}


def test_a_converged_host_plans_nothing_and_reports_no_change():
    result = plan(host(LIVE_R1), forward("r1"))
    assert result == dict(result, steps=[], switch=False, changed=False, candidate=None)


def test_the_candidate_gets_the_staged_fingerprint_and_the_hook_its_own_slot():
    result = plan(host(LIVE_R1), forward("r2"))
    assert step(result, "configure") == {"step": "configure", "slot": "b", "release": "r2", "source": "staged",
                                         "fingerprint": fp("r2")}
    assert step(result, "hook") == {"step": "hook", "slot": "b", "hook": "pre_activate", "release": "r2",
                                    "env": "slot"}
    assert step(result, "commit")["previous"] == "r1"


def test_a_rollback_runs_its_target_with_the_configuration_kept_with_it():
    state = host(slot("r2", "active", True), previous="r1")
    result = plan(state, back(stored={"r1": "kept"}))
    assert step(result, "configure")["source"] == "release"
    assert step(result, "configure")["fingerprint"] == "kept"
    # pre_rollback runs with the newer, live release, whose code knows its migrations.
    assert step(result, "hook") == {"step": "hook", "slot": "a", "hook": "pre_rollback", "release": "r2",
                                    "env": "slot"}


def test_a_rollback_takes_what_its_kept_configuration_lacks_from_the_staged_one():
    """A process added after the release served: its files come from the staged
    configuration, the rest from the kept one."""
    state = host(slot("r2", "active", True), previous="r1")
    wanted = dict(back(stored={"r1": "kept"}), slot_files=["env", "gunicorn.conf.py", "process-worker.sh"],
                  kept_files={"r1": ["env", "fingerprint", "gunicorn.conf.py"]})
    assert step(plan(state, wanted), "configure")["staged_only"] == ["process-worker.sh"]
    wanted["kept_files"]["r1"].append("process-worker.sh")
    assert step(plan(state, wanted), "configure")["staged_only"] == []


def test_a_rollback_without_a_kept_configuration_uses_the_staged_one():
    result = plan(host(slot("r2", "active", True), previous="r1"), back())
    assert step(result, "configure")["source"] == "staged"


def test_hooks_run_only_when_the_app_has_them():
    wanted = dict(forward("r2"), hooks=[])
    assert "hook" not in names(plan(host(LIVE_R1), wanted))


# (case, the app's hooks, pre_activate_once, the switch's hooks, the once phase's)
HOOK_CASES = [
    ("both-per-host", {"pre_activate": "migrate", "pre_rollback": "down"}, False, ["pre_activate", "pre_rollback"], []),
    ("both-once", {"pre_activate": "migrate", "pre_rollback": "down"}, True, [], ["pre_activate", "pre_rollback"]),
    ("once-forward-only", {"pre_activate": "migrate"}, True, [], ["pre_activate"]),
    ("none", {}, False, [], []),
]


@pytest.mark.parametrize("case, hooks, once, in_switch, in_once", HOOK_CASES, ids=[c[0] for c in HOOK_CASES])
def test_pre_activate_once_moves_the_migration_hooks_out_of_every_host_switch(case, hooks, once, in_switch, in_once):
    app = dict(hooks, pre_activate_once=once)
    assert switch_hooks(app, once=False) == in_switch
    assert switch_hooks(app, once=True) == in_once


def test_the_once_phase_plans_the_hook_alone_with_the_staged_environment():
    result = plan(host(LIVE_R1, releases=("r0", "r1", "r2")), dict(forward("r2", keep=1), once=True))
    assert result["steps"] == [{"step": "hook", "slot": "b", "hook": "pre_activate", "release": "r2", "env": "staged"}]
    assert result["switch"] and result["target"] == "r2"


def test_the_once_phase_of_a_rollback_runs_pre_rollback_in_the_live_slot():
    result = plan(host(slot("r2", "active", True), previous="r1"), dict(back(), once=True))
    assert result["steps"] == [{"step": "hook", "slot": "a", "hook": "pre_rollback", "release": "r2", "env": "slot"}]


def test_the_once_phase_of_a_converged_host_runs_nothing():
    assert plan(host(LIVE_R1), dict(forward("r1"), once=True))["steps"] == []


def test_the_drain_applies_to_a_slot_that_served():
    result = plan(host(LIVE_R1), forward("r2"))
    assert step(result, "retire_old")["drain_seconds"] == DRAIN
    interrupted = host(slot("r1", "active", True), slot("r2", "active", False), live="b", current="a")
    assert step(plan(interrupted, forward("r2")), "retire_idle")["drain_seconds"] == DRAIN
    stray = host(LIVE_R1, slot("r2", "active", False))
    assert step(plan(stray, forward("r2")), "retire_idle")["drain_seconds"] == 0
    dead = host(slot("r1", "failed", True))
    assert step(plan(dead, forward("r1")), "retire_old")["drain_seconds"] == 0


@pytest.mark.parametrize("state, wanted, message", [
    (host(LIVE_R1), back(), "no previous release"),
    (host(slot("r2", "active", True), previous="r1", releases=("r2",)), back(), "release r1 is not on the host"),
    (host(LIVE_R1, releases=("r1",)), back("r1"), "already live"),
    (host(LIVE_R1), back("../shop"), "not a release id"),
    (host(LIVE_R1), forward("a/b"), "not a release id"),
    (host(LIVE_R1), forward(".."), "not a release id"),
], ids=["nothing-to-go-back-to", "previous-pruned", "target-is-live", "rollback-path", "slash", "dotdot"])
def test_impossible_plans_fail_with_the_reason(state, wanted, message):
    with pytest.raises(PlanError, match=message):
        plan(state, wanted)


def test_prune_keeps_the_live_previous_the_target_and_every_slots_release():
    releases = ("r0", "r1", "r2", "r3", "r4", "r5", "r6")
    state = host(slot("r5", "active", True), slot("r1"), previous="r4", releases=releases)
    result = plan(state, forward("r6", keep=4))
    prune = step(result, "prune")
    # Kept: r6 (target), r5 (live, then previous), r1 (a slot holds it), and the newest other, r4.
    assert prune["releases"] == ["r0", "r2", "r3"]
    assert "/srv/shop/releases/r0" in prune["paths"]
    assert "/etc/asgi-deploy/shop/releases/r0" in prune["paths"]


def test_prune_never_goes_below_the_releases_that_must_stay():
    state = host(slot("r2", "active", True), slot("r1"), previous="r1", releases=("r0", "r1", "r2", "r3"))
    assert step(plan(state, forward("r3", keep=1)), "prune")["releases"] == ["r0"]


def test_fingerprint_changes_with_the_release_and_each_file():
    base = fingerprint("r1", STAGED)
    assert fingerprint("r1", dict(STAGED)) == base
    assert fingerprint("r2", STAGED) != base
    for name in STAGED:
        assert fingerprint("r1", dict(STAGED, **{name: "other"})) != base
    assert fingerprint("r1", dict(STAGED, env=None)) != base


@pytest.mark.parametrize("release, error", [
    ("r-0123abcd4567", None), ("1.2.3", None), ("..", "release id"), (".hidden", "release id"),
    ("a/b", "release id"), ("", "release id"), ("x" * 65, "release id"),
])
def test_release_path_stays_inside_the_releases_directory(release, error):
    if error:
        with pytest.raises(PlanError, match=error):
            release_path("/srv/shop/releases", release)
    else:
        assert release_path("/srv/shop/releases", release) == "/srv/shop/releases/" + release


APPS = [{"name": "shop"}, {"name": "blog"}]


@pytest.mark.parametrize("apps, rollback, names_, targets, expected", [
    (APPS, False, [], {}, ["shop", "blog"]),
    (APPS, True, ["blog"], {}, ["blog"]),
    (APPS, True, [], {"shop": "r1"}, ["shop"]),
    (APPS, True, ["blog"], {"shop": "r1"}, ["shop", "blog"]),
    (APPS[:1], True, [], {}, ["shop"]),
])
def test_release_apps_picks_only_the_apps_named(apps, rollback, names_, targets, expected):
    assert [app["name"] for app in release_apps(apps, rollback, names_, targets)] == expected


@pytest.mark.parametrize("names_, targets, message", [
    ([], {}, "name the apps to roll back"),
    (["shopp"], {}, "shopp is not an app of this host"),
    ([], {"nope": "r1"}, "nope is not an app"),
    ([], {"shop": "../x"}, r"release_rollback_to\[shop\]"),
])
def test_release_apps_refuses_unknown_or_missing_names(names_, targets, message):
    with pytest.raises(PlanError, match=message):
        release_apps(APPS, True, names_, targets)
