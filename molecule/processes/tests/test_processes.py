"""An app's processes and timers with a real queue: Debian's redis-server, the example
app's arq worker (two replicas) processing the jobs POST /jobs enqueues, and a timer. The
tests run in order: the converged host, then a deploy while jobs keep coming, a broken
release, and a rollback."""

import json
import os
import posixpath
import re
import tempfile
import time

import pytest

from asgi_host import unit_property, wait_until
from asgi_probe import changed_count, https_pool, playbook_process, playbook_recap

SERVER_NAME = "hello.example.test"
UNITS = "/etc/systemd/system"
# The longest a held job of the old release runs across the deploy (its worker's
# stop_timeout, 60 s, kills it before).
LONG_JOB_SECONDS = 100


@pytest.fixture(scope="module")
def apps(host_vars):
    return host_vars["asgi_apps"]


def extra_vars(apps, wheel, **settings):
    """The inventory's app with another wheel, without the process `idle` and with a new
    one, `spare`, as -e @file."""
    app = dict(apps[0], source={"type": "wheel", "path": wheel},
               processes=[process for process in apps[0]["processes"] if process["name"] != "idle"]
               + [{"name": "spare", "command": "exec sleep infinity"}])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as extra:
        json.dump(dict(settings, asgi_apps=[app]), extra)
    return "@" + extra.name


def live_slot(host):
    return posixpath.basename(host.check_output("readlink /srv/hello/current"))


def other(slot):
    return "b" if slot == "a" else "a"


def workers(slot):
    return ["asgi-hello.worker-%s@%d.service" % (slot, replica) for replica in (1, 2)]


def is_active(host, unit):
    return host.run("systemctl is-active %s" % unit).stdout.strip() == "active"


def enqueue(https_port, ca_pem, seconds=0.0, hold=False):
    pool = https_pool(SERVER_NAME, https_port, ca_pem)
    response = pool.request("POST", "/jobs?seconds=%s&hold=%s" % (seconds, str(hold).lower()),
                            headers={"Host": SERVER_NAME})
    assert response.status == 200, response.data[:300]
    return json.loads(response.data)["job_id"]


def records(host, name):
    listed = host.check_output("redis-cli --raw LRANGE hello:jobs:%s 0 -1" % name)
    return [json.loads(line) for line in listed.splitlines() if line.strip()]


def wait_done(host, job_ids, timeout=40):
    wanted = set(job_ids)
    assert wait_until(lambda: wanted <= set(entry["job"] for entry in records(host, "done")), timeout), \
        "jobs never done: %s" % sorted(wanted - set(entry["job"] for entry in records(host, "done")))
    return records(host, "done")


def ticks(host, slot, since=0):
    """The lines the timer's runs in the slot wrote since the epoch second `since`."""
    lines = host.run("journalctl --no-pager -o cat --since @%d -u asgi-hello.tick@%s.service" % (since, slot)).stdout
    return [json.loads(line) for line in lines.splitlines() if line.startswith("{")]


def test_check_mode_reports_no_change(host):
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    code, output = playbook_recap(playbook, "--check")
    assert code == 0, output[-3000:]
    assert changed_count(output) == 0, output[-3000:]


def test_the_workers_run_from_the_live_release_as_its_web_slot_does(host):
    slot = live_slot(host)
    for unit in workers(slot) + ["asgi-hello.idle-%s@1.service" % slot]:
        assert is_active(host, unit), host.run("systemctl status %s" % unit).stdout
        assert unit_property(host, unit, "UnitFileState") == "enabled"
        assert unit_property(host, unit, "User") == "hello"
        # The web slot's sandbox, and the process's stop timeout.
        for name, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes")):
            assert unit_property(host, unit, name) == value, name
    assert unit_property(host, workers(slot)[0], "TimeoutStopUSec") == "1min"
    assert unit_property(host, "asgi-hello.idle-%s@1.service" % slot, "TimeoutStopUSec") == "30s"
    # The command, by the release's venv first on PATH, with the slot's environment file.
    for unit in workers(slot):
        pids = [line.split()[0] for line in host.check_output("ps -eo pid=,unit=,args=").splitlines()
                if line.split()[1:2] == [unit] and "/venv/bin/arq hello_asgi.worker.WorkerSettings" in line]
        assert len(pids) == 1, unit
        environ = host.check_output("tr '\\0' '\\n' < /proc/%s/environ" % pids[0])
        assert "PATH=/srv/hello/slots/%s/venv/bin:" % slot in environ
        assert "HELLO_REDIS_URL=redis://127.0.0.1:6379/0" in environ
        assert "ASGI_SLOT=%s" % slot in environ
    assert not any(is_active(host, unit) for unit in workers(other(slot)))


def test_the_worker_processes_the_jobs_the_app_enqueues(host, https_port, ca_pem):
    job_ids = [enqueue(https_port, ca_pem) for _ in range(6)]
    done = [entry for entry in wait_done(host, job_ids) if entry["job"] in job_ids]
    assert sorted(entry["job"] for entry in done) == sorted(job_ids)
    assert set(entry["version"] for entry in done) == {"1.0.0"}
    assert set(entry["slot"] for entry in done) == {live_slot(host)}


def test_the_timer_is_listed_and_its_runs_reach_the_journal(host):
    slot = live_slot(host)
    listed = host.check_output("systemctl list-timers --all --no-legend --no-pager asgi-hello.tick.timer")
    assert "asgi-hello.tick.timer" in listed and "asgi-hello.tick@%s.service" % slot in listed
    assert wait_until(lambda: any(tick["tick"] == "1.0.0" for tick in ticks(host, slot)), 20), ticks(host, slot)
    assert unit_property(host, "asgi-hello.tick@%s.service" % slot, "User") == "hello"


def term_times(host, slot, pid):
    """When the slot's worker process `pid` logged that TERM found a job in progress (its
    lines reach the journal through the unit's relay of JSON logs)."""
    unit = host.run("ps -o unit= -p %d" % pid).stdout.strip()
    if not unit.startswith("asgi-hello.worker-%s@" % slot):
        return []
    journal = host.check_output("journalctl --no-pager -o json -u %s" % unit)
    return [int(entry["__REALTIME_TIMESTAMP"]) / 1e6 for entry in map(json.loads, journal.splitlines())
            if re.search(r"shutdown on SIGTERM .* [1-9][0-9]* to be completed", str(entry.get("MESSAGE")))]


def test_every_line_of_the_workers_and_the_timer_is_json_with_the_slot_context(host):
    """JSON logs: what the arq workers and the timer's runs print reaches the journal as
    records of the web slot's format, with the app, the release and the slot."""
    slot = live_slot(host)
    release = host.check_output("readlink /srv/hello/slots/%s" % slot).rsplit("/", 1)[-1]
    journal = host.check_output("journalctl --no-pager -o json -u 'asgi-hello.worker-%s@*' -u asgi-hello.tick@%s.service"
                                % (slot, slot))
    # systemd's own lines about the units ("Started ...") are not the app's.
    messages = [entry["MESSAGE"] for entry in map(json.loads, journal.splitlines())
                if entry.get("SYSLOG_IDENTIFIER") in ("hello.worker", "hello.tick")]
    records = [json.loads(message) for message in messages]
    assert all(isinstance(record, dict) for record in records)
    assert {(r["app"], r["release"], r["slot"]) for r in records} == {("hello", release, slot)}
    # arq's own lines (stderr, its format names no level) and the timer's own JSON line.
    assert any(r.get("logger") == "stderr" and r.get("level") == "INFO" and "Starting worker" in r["message"]
               for r in records), records[:10]
    assert any("tick" in r for r in records)


def test_a_deploy_loses_no_job_and_the_old_worker_finishes_its_own(host, apps, https_port, ca_pem):
    old = live_slot(host)
    new = other(old)
    host.check_output("redis-cli DEL hello:jobs:go")
    deploy = playbook_process("asgi.deploy.deploy", "-e", extra_vars(apps, os.environ["ASGI_EXAMPLE_WHEEL_V2"]))
    job_ids, long_job, holder, terms = [], None, None, []
    started = time.monotonic()
    while deploy.poll() is None and time.monotonic() - started < 600:
        job_ids.append(enqueue(https_port, ca_pem, 0.2))
        # While the new release's web slot comes up, an old worker takes a job that holds
        # until the test sees that its worker got TERM; the deploy waits for it.
        if long_job is None and is_active(host, "asgi-hello@%s.service" % new):
            long_job = enqueue(https_port, ca_pem, LONG_JOB_SECONDS, hold=True)
        if long_job is not None and holder is None:
            holder = next((entry for entry in records(host, "started") if entry["job"] == long_job), None)
        if holder is not None and not terms:
            terms = term_times(host, old, holder["pid"])
            if terms:
                host.check_output("redis-cli SET hello:jobs:go 1")
        time.sleep(0.25)
    assert deploy.wait(timeout=60) == 0
    assert long_job is not None and holder is not None and terms
    job_ids += [enqueue(https_port, ca_pem) for _ in range(3)]
    wait_done(host, job_ids + [long_job])
    done, begun = records(host, "done"), records(host, "started")
    # Every job of the deploy done exactly once, none started twice.
    for job_id in job_ids + [long_job]:
        assert [entry["job"] for entry in done].count(job_id) == 1, job_id
        assert [entry["job"] for entry in begun].count(job_id) == 1, job_id
    # The held job ran on the old release to its end, after its worker heard TERM.
    finished = [entry for entry in done if entry["job"] == long_job][0]
    assert (finished["version"], finished["slot"]) == ("1.0.0", old)
    assert min(terms) < finished["done"] < min(terms) + 60
    assert set(entry["version"] for entry in done if entry["job"] in job_ids[-3:]) == {"2.0.0"}
    # The new release's workers run, the old ones stopped; the removed process is gone.
    assert live_slot(host) == new
    assert all(is_active(host, unit) for unit in workers(new))
    assert not any(is_active(host, unit) for unit in workers(old))
    assert not host.file("%s/asgi-hello.idle-a@.service" % UNITS).exists
    assert not host.file("%s/asgi-hello.idle-%s@.service.d" % (UNITS, old)).exists
    assert not is_active(host, "asgi-hello.idle-%s@1.service" % old)
    # The timer moved to the new release.
    assert "asgi-hello.tick@%s.service" % new in host.check_output("systemctl list-timers --all --no-legend")
    assert wait_until(lambda: any(tick["tick"] == "2.0.0" for tick in ticks(host, new)), 20), ticks(host, new)


def test_a_failed_deploy_leaves_the_old_workers_untouched(host, apps, https_port, ca_pem):
    slot = live_slot(host)
    before = dict((unit, unit_property(host, unit, "MainPID")) for unit in workers(slot))
    code, output = playbook_recap("asgi.deploy.deploy", "-e", extra_vars(
        apps, os.environ["ASGI_EXAMPLE_WHEEL_BROKEN"], release_health_retries=4))
    assert code != 0
    assert "was not activated" in output, output[-3000:]
    assert dict((unit, unit_property(host, unit, "MainPID")) for unit in workers(slot)) == before
    assert not any(is_active(host, unit) for unit in workers(other(slot)))
    job_id = enqueue(https_port, ca_pem)
    done = [entry for entry in wait_done(host, [job_id]) if entry["job"] == job_id]
    assert (done[0]["version"], done[0]["slot"]) == ("2.0.0", slot)


def test_a_rollback_brings_back_the_previous_release_workers(host, apps, https_port, ca_pem):
    old = live_slot(host)
    code, output = playbook_recap("asgi.deploy.rollback", "-e", extra_vars(apps, os.environ["ASGI_EXAMPLE_WHEEL_V2"]))
    assert code == 0, output[-3000:]
    rolled_back = int(time.time())
    back = live_slot(host)
    assert back == other(old)
    assert all(is_active(host, unit) for unit in workers(back))
    assert not any(is_active(host, unit) for unit in workers(old))
    # 1.0.0 served without `spare`, added since: its files came from the staged configuration.
    assert is_active(host, "asgi-hello.spare-%s@1.service" % back)
    assert not is_active(host, "asgi-hello.spare-%s@1.service" % old)
    job_id = enqueue(https_port, ca_pem)
    done = [entry for entry in wait_done(host, [job_id]) if entry["job"] == job_id]
    assert (done[0]["version"], done[0]["slot"]) == ("1.0.0", back)
    assert wait_until(lambda: any(tick["tick"] == "1.0.0" for tick in ticks(host, back, rolled_back)), 20), \
        ticks(host, back, rolled_back)
