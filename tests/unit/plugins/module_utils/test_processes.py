# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An app's processes and timers: their input checked (keys, names, commands, replicas,
schedules), their records (units per slot, the files of a slot's configuration), and the
plan that runs them from the live slot."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._apps import AppSpecError, normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._processes import (
    ProcessPlanError,
    process_plan,
)

SHOP = {
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.example.test"],
    "source": {"type": "wheel", "path": "dist/shop-1.0-py3-none-any.whl"},
    "processes": [{"name": "worker", "command": "celery -A shop worker", "replicas": 2, "stop_timeout": 60}],
    "timers": [{"name": "cleanup", "on_calendar": "*-*-* 04:00:00", "command": "shop-cleanup"}],
}
WORKER = SHOP["processes"][0]
CLEANUP = SHOP["timers"][0]


def app(**changes):
    result = copy.deepcopy(SHOP)
    result.update(changes)
    return result


def process(**changes):
    return [dict(WORKER, **changes)]


def timer(**changes):
    return [dict(CLEANUP, **changes)]


def case(case_id, *values):
    return pytest.param(*values, id=case_id)


BAD = [
    case("processes-not-a-list", app(processes={"name": "worker"}), "processes: expected a list"),
    case("process-not-a-mapping", app(processes=["celery worker"]), "processes[#0]: expected a mapping"),
    case("process-unknown-key", app(processes=process(replica=2)), "processes[worker]: unknown key replica"),
    case("process-unknown-keys", app(processes=process(user="root", cwd="/")),
         "processes[worker]: unknown keys cwd, user"),
    case("process-command-empty", app(processes=process(command="")), "processes[worker].command: expected a shell "
         "command (it is empty)"),
    case("process-command-blank", app(processes=process(command="  \n")), "processes[worker].command:"),
    case("process-command-missing", app(processes=[{"name": "worker"}]), "processes[worker].command:"),
    case("process-command-list", app(processes=process(command=["celery", "worker"])),
         "processes[worker].command: expected a shell command"),
    case("process-command-nul", app(processes=process(command="a\x00b")), "processes[worker].command:"),
    case("replicas-zero", app(processes=process(replicas=0)), "processes[worker].replicas: 0 is not a count"),
    case("replicas-negative", app(processes=process(replicas=-1)), "processes[worker].replicas: -1 is not"),
    case("replicas-text", app(processes=process(replicas="2")), "processes[worker].replicas: '2' is not"),
    case("replicas-boolean", app(processes=process(replicas=True)), "processes[worker].replicas: True is not"),
    case("replicas-too-many", app(processes=process(replicas=65)), "processes[worker].replicas: 65 is not a count "
         "from 1 to 64"),
    case("stop-timeout-zero", app(processes=process(stop_timeout=0)), "processes[worker].stop_timeout: 0 is not"),
    case("stop-timeout-text", app(processes=process(stop_timeout="1m")), "processes[worker].stop_timeout: '1m'"),
    case("name-missing", app(processes=[{"command": "x"}]), "processes[#0].name: None is not a safe part"),
    case("name-with-dot", app(processes=process(name="a.b")), "processes[a.b].name: 'a.b' is not a safe part"),
    case("name-with-at", app(processes=process(name="w@1")), "processes[w@1].name:"),
    case("name-with-slash", app(processes=process(name="../x")), "processes[../x].name:"),
    case("name-uppercase", app(processes=process(name="Worker")), "processes[Worker].name:"),
    case("name-dash-last", app(processes=process(name="worker-")), "processes[worker-].name:"),
    case("name-too-long", app(processes=process(name="w" * 33)), "processes[%s].name:" % ("w" * 33)),
    case("process-names-twice", app(processes=process() + process(command="other")),
         "processes[worker].name: worker is already the name of processes[worker]"),
    case("process-and-timer-same-name", app(timers=timer(name="worker")),
         "timers[worker].name: worker is already the name of processes[worker]"),
    case("process-override-not-sandbox", app(processes=process(overrides={"User": "root"})),
         "processes[worker].overrides: User is not a sandboxing or resource directive"),
    case("process-override-newline", app(processes=process(overrides={"ProtectHome": "no\nUser=root"})),
         "processes[worker].overrides.ProtectHome: not a one-line value"),
    case("timers-not-a-list", app(timers="cleanup"), "timers: expected a list"),
    case("timer-unknown-key", app(timers=timer(schedule="daily")), "timers[cleanup]: unknown key schedule"),
    case("timer-replicas", app(timers=timer(replicas=2)), "timers[cleanup]: unknown key replicas"),
    case("timer-command-empty", app(timers=timer(command=" ")), "timers[cleanup].command: expected a shell command"),
    case("timer-names-twice", app(timers=timer() + timer()), "timers[cleanup].name: cleanup is already the name "
         "of timers[cleanup]"),
    case("calendar-missing", app(timers=[{"name": "cleanup", "command": "x"}]), "timers[cleanup].on_calendar: "
         "None is not a systemd calendar event"),
    case("calendar-newline", app(timers=timer(on_calendar="daily\nExecStart=/bin/sh")),
         "timers[cleanup].on_calendar:"),
    case("calendar-percent", app(timers=timer(on_calendar="%H")), "timers[cleanup].on_calendar:"),
    case("calendar-blank-end", app(timers=timer(on_calendar="daily ")), "timers[cleanup].on_calendar:"),
    case("calendar-number", app(timers=timer(on_calendar=4)), "timers[cleanup].on_calendar: 4 is not"),
    case("delay-negative", app(timers=timer(randomized_delay=-5)), "timers[cleanup].randomized_delay: -5 is not"),
    case("delay-junk", app(timers=timer(randomized_delay="soon")), "timers[cleanup].randomized_delay: 'soon'"),
    case("delay-float", app(timers=timer(randomized_delay=1.5)), "timers[cleanup].randomized_delay: 1.5"),
    case("persistent-text", app(timers=timer(persistent="yes")), "timers[cleanup].persistent: 'yes' is not a boolean"),
]


@pytest.mark.parametrize("bad_app,message", BAD)
def test_bad_process_and_timer_input_is_rejected_naming_the_field(bad_app, message):
    with pytest.raises(AppSpecError) as error:
        normalize_apps([bad_app])
    assert str(error.value).startswith("asgi_apps[shop].%s" % message), str(error.value)


@pytest.mark.parametrize("good_app", [
    case("none", app(processes=None, timers=None)),
    case("empty", app(processes=[], timers=[])),
    case("defaults", app(processes=[{"name": "w", "command": "x"}])),
    case("dashes-underscores", app(processes=process(name="mail-queue_2"))),
    case("delay-seconds", app(timers=timer(randomized_delay=0))),
    case("delay-span", app(timers=timer(randomized_delay="1h 30min"))),
    case("calendar-weekdays", app(timers=timer(on_calendar="Mon..Fri *-*-* 09:00:00"))),
    case("calendar-every-5s", app(timers=timer(on_calendar="*:*:0/5"))),
    case("multiline-command", app(processes=process(command="cd /srv/shop/shared\nexec celery worker"))),
    case("override", app(processes=process(overrides={"MemoryMax": "1G", "ProtectHome": None}))),
])
def test_good_process_and_timer_input_passes(good_app):
    assert normalize_apps([good_app])[0]["name"] == "shop"


def test_records_name_the_units_of_each_slot_and_the_slot_files():
    record = normalize_apps([app()])[0]
    worker = record["processes"][0]
    assert (worker["replicas"], worker["stop_timeout"]) == (2, 60)
    assert worker["slots"]["a"]["template"] == "asgi-shop.worker-a@.service"
    assert worker["slots"]["b"]["units"] == ["asgi-shop.worker-b@1.service", "asgi-shop.worker-b@2.service"]
    assert worker["slots"]["b"]["dropin"] == "/etc/systemd/system/asgi-shop.worker-b@.service.d/50-asgi-deploy.conf"
    assert worker["slots"]["a"]["script"] == "/etc/asgi-deploy/shop/slots/a/process-worker.sh"
    cleanup = record["timers"][0]
    assert (cleanup["timer"], cleanup["service_template"]) == ("asgi-shop.cleanup.timer", "asgi-shop.cleanup@.service")
    assert cleanup["slots"]["b"]["service"] == "asgi-shop.cleanup@b.service"
    assert cleanup["slots"]["b"]["dropin"] == "/etc/systemd/system/asgi-shop.cleanup@b.service.d/50-asgi-deploy.conf"
    assert (cleanup["persistent"], cleanup["randomized_delay"]) == (False, None)
    # The fingerprint covers the staged commands and drop-ins and the unit templates.
    assert record["staged_files"][4:] == ["process-worker.sh", "process-worker.conf", "timer-cleanup.sh",
                                          "timer-cleanup.conf"]
    assert record["unit_templates"] == ["asgi-shop@.service", "asgi-shop@.socket", "asgi-shop.worker-a@.service",
                                        "asgi-shop.worker-b@.service", "asgi-shop.cleanup@.service"]
    assert [(f["name"], f["dest"], f["group"], f["mode"]) for f in record["slot_files"]["b"]] == [
        ("process-worker.sh", "/etc/asgi-deploy/shop/slots/b/process-worker.sh", "shop", "0640"),
        ("process-worker.conf", worker["slots"]["b"]["dropin"], "root", "0644"),
        ("timer-cleanup.sh", "/etc/asgi-deploy/shop/slots/b/timer-cleanup.sh", "shop", "0640"),
        ("timer-cleanup.conf", cleanup["slots"]["b"]["dropin"], "root", "0644"),
    ]
    assert record["slot_dirs"]["a"] == [
        {"path": "/etc/systemd/system/asgi-shop.worker-a@.service.d", "group": "root", "mode": "0755"},
        {"path": "/etc/systemd/system/asgi-shop.cleanup@a.service.d", "group": "root", "mode": "0755"}]


def test_an_app_without_processes_keeps_its_fingerprint_inputs():
    record = normalize_apps([app(processes=None, timers=None)])[0]
    assert record["staged_files"] == ["env", "gunicorn.conf.py", "service.conf", "socket.conf"]
    assert record["unit_templates"] == ["asgi-shop@.service", "asgi-shop@.socket"]
    assert record["slot_files"] == {"a": [], "b": []}
    assert record["processes"] == record["timers"] == []
    assert normalize_apps([app(processes=[{"name": "w", "command": "x"}])])[0]["processes"][0]["stop_timeout"] == 30


def loaded(*units):
    return ["%s loaded active running Process" % unit for unit in units]


RECORD = normalize_apps([app()])[0]
D = "/etc/systemd/system/"


@pytest.mark.parametrize("live,lines,paths,expected", [
    case("first-start", "a", [], [], {
        "start": ["asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service"], "stop": [], "stop_timers": [],
        "remove": []}),
    case("after-a-switch-the-old-slot-stops", "b",
         loaded("asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service", "asgi-shop.worker-b@1.service",
                "asgi-shop.cleanup.timer", "asgi-shop.cleanup@a.service"), [], {
             "start": ["asgi-shop.worker-b@1.service", "asgi-shop.worker-b@2.service"],
             "stop": ["asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service"], "stop_timers": [],
             "remove": []}),
    case("replicas-beyond-the-count-stop", "a", loaded("asgi-shop.worker-a@3.service", "asgi-shop.worker-a@1.service"),
         [], {"start": ["asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service"],
              "stop": ["asgi-shop.worker-a@3.service"], "stop_timers": [], "remove": []}),
    case("removed-names-stop-and-go", "a",
         loaded("asgi-shop.mailer-b@1.service", "asgi-shop.report.timer", "asgi-other.x-a@1.service"),
         [D + "asgi-shop.mailer-a@.service", D + "asgi-shop.mailer-b@.service.d", D + "asgi-shop.report.timer",
          D + "asgi-shop.report@.service", D + "asgi-shop.worker-a@.service", D + "asgi-shop.worker-b@.service.d",
          D + "asgi-shop.cleanup.timer", D + "asgi-shop.cleanup@a.service.d", D + "asgi-shop@.service",
          D + "multi-user.target.wants/asgi-shop.mailer-a@1.service"], {
             "start": ["asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service"],
             "stop": ["asgi-shop.mailer-b@1.service"], "stop_timers": ["asgi-shop.report.timer"],
             "remove": [D + "asgi-shop.mailer-a@.service", D + "asgi-shop.mailer-b@.service.d",
                        D + "asgi-shop.report.timer", D + "asgi-shop.report@.service"]}),
    # systemctl marks a unit in trouble with a leading bullet: the name is the first word.
    case("a-timer-run-is-no-process", "a", ["asgi-shop.cleanup@b.service loaded activating start Timer"], [], {
        "start": ["asgi-shop.worker-a@1.service", "asgi-shop.worker-a@2.service"], "stop": [], "stop_timers": [],
        "remove": []}),
])
def test_process_plan(live, lines, paths, expected):
    result = process_plan(RECORD, live, lines, paths)
    assert dict((key, result[key]) for key in expected) == expected
    assert [(entry["timer"], entry["service"]) for entry in result["timers"]] == [
        ("asgi-shop.cleanup.timer", "asgi-shop.cleanup@%s.service" % live)]
    assert [(entry["path"], entry["template"], entry["template_vars"]["item"]["service"], entry["mode"])
            for entry in result["timer_files"]] == [
        (D + "asgi-shop.cleanup.timer", "timer.j2", "asgi-shop.cleanup@%s.service" % live, "0644")]


def test_process_plan_needs_a_live_slot():
    with pytest.raises(ProcessPlanError, match="shop: no slot is live"):
        process_plan(RECORD, None, [], [])
