"""Faults the host survives without anyone stepping in: a killed worker, a killed master,
a restart of the whole host, and an app that cannot start (it must stop retrying and say
why). Every request goes from this machine through nginx on the published port."""

import re
import subprocess

from asgi_host import live_unit, unit_property, wait_until
from asgi_probe import https_json

SERVER_NAME = "hello.example.test"
# Seconds, each stated bound: a worker is replaced by the master, a master restarted by
# systemd (RestartSec=2 plus gunicorn's boot), a host booted up to serving again.
WORKER_BOUND = 10
MASTER_BOUND = 20
BOOT_BOUND = 90


def answers(https_port, ca_pem):
    return https_json(SERVER_NAME, https_port, ca_pem)["app"] == "hello"


def worker_pids(host, unit):
    return host.check_output("pgrep -P %s" % unit_property(host, unit, "MainPID")).split()


def configured_workers(host, unit):
    """The worker count in the slot's gunicorn.conf.py (the module's choice for this host)."""
    slot = unit.rpartition("@")[2][:-len(".service")]
    config = host.file("/etc/asgi-deploy/hello/slots/%s/gunicorn.conf.py" % slot).content_string
    return int(re.search(r"^workers = (\d+)$", config, re.M).group(1))


def test_killed_worker_is_replaced_while_the_app_answers(host, https_port, ca_pem):
    unit = live_unit(host)
    master = unit_property(host, unit, "MainPID")
    before, workers = worker_pids(host, unit), configured_workers(host, unit)
    assert len(before) == workers >= 2
    host.check_output("kill -KILL %s" % before[0])
    # The other worker serves meanwhile.
    assert all(answers(https_port, ca_pem) for _ in range(20))
    elapsed = wait_until(lambda: len(worker_pids(host, unit)) == workers
                         and before[0] not in worker_pids(host, unit), WORKER_BOUND)
    print("\nworker replaced within %s s (bound %d s)" % (elapsed, WORKER_BOUND))
    assert elapsed is not None
    assert unit_property(host, unit, "MainPID") == master


def test_killed_master_is_restarted_by_systemd(host, https_port, ca_pem):
    unit = live_unit(host)
    master = unit_property(host, unit, "MainPID")
    restarts = int(unit_property(host, unit, "NRestarts"))
    host.check_output("kill -KILL %s" % master)
    elapsed = wait_until(lambda: unit_property(host, unit, "MainPID") not in ("0", master)
                         and answers(https_port, ca_pem), MASTER_BOUND)
    print("\nmaster restarted and answering within %s s (bound %d s)" % (elapsed, MASTER_BOUND))
    assert elapsed is not None
    assert int(unit_property(host, unit, "NRestarts")) == restarts + 1
    assert len(worker_pids(host, unit)) == configured_workers(host, unit)


def test_host_restart_serves_again_without_intervention(host, https_port, ca_pem):
    container = host.ansible.get_variables()["inventory_hostname"]
    # SIGRTMIN+3 asks systemd for a clean halt, as a shutdown would; then power on again.
    for command in (["kill", "--signal", "SIGRTMIN+3", container], ["wait", container], ["start", container]):
        subprocess.run(["docker"] + command, check=True, capture_output=True, timeout=120)
    elapsed = wait_until(lambda: answers(https_port, ca_pem), BOOT_BOUND, interval=1)
    print("\nhost restarted and serving within %s s (bound %d s)" % (elapsed, BOOT_BOUND))
    assert elapsed is not None
    assert host.service("nginx").is_running
    assert host.service(live_unit(host)).is_running


def test_app_crashing_at_start_stops_retrying_and_says_why(host, https_port, ca_pem):
    """The live slot is made to start a module that does not import (a runtime drop-in
    the test removes again): systemd gives up after StartLimitBurst starts."""
    unit = live_unit(host)
    socket_unit = unit.replace(".service", ".socket")
    dropin = "/run/systemd/system/%s.d" % unit
    command = re.search(r"argv\[\]=([^;]+?) ;", unit_property(host, unit, "ExecStart")).group(1)
    burst = int(unit_property(host, unit, "StartLimitBurst"))
    host.check_output("mkdir -p %s" % dropin)
    host.check_output("printf '[Service]\\nExecStart=\\nExecStart=%s no_such_module:app\\n' > %s/99-broken.conf"
                      % (command, dropin))
    try:
        host.check_output("systemctl daemon-reload")
        host.run("systemctl restart %s" % unit)
        # The socket fails with the service's start limit, so nginx's next request
        # does not start it again either.
        gave_up = wait_until(lambda: unit_property(host, socket_unit, "Result") == "service-start-limit-hit",
                             90, interval=1)
        status = host.run("systemctl status --no-pager --lines=20 %s" % unit).stdout
        assert gave_up is not None, status
        restarts = unit_property(host, unit, "NRestarts")
        assert int(restarts) <= burst
        assert unit_property(host, unit, "ActiveState") == "failed"
        assert "Start request repeated too quickly" in status
        journal = host.check_output("journalctl --no-pager -o cat -n 300 -u %s" % unit)
        assert "No module named 'no_such_module'" in journal
        print("\n%s gave up after %d restarts in %.0f s (StartLimitBurst=%d); its journal says:\n%s" % (
            unit, int(restarts), gave_up, burst,
            "\n".join(line for line in journal.splitlines()[-40:]
                      if "no_such_module" in line or "too quickly" in line)))
        # No more attempts come: the unit stays failed.
        assert wait_until(lambda: unit_property(host, unit, "NRestarts") != restarts, 10) is None
    finally:
        host.run("rm -rf %s" % dropin)
        host.run("systemctl daemon-reload")
        host.run("systemctl reset-failed %s %s" % (unit, socket_unit))
        host.run("systemctl start %s %s" % (socket_unit, unit))
    assert wait_until(lambda: answers(https_port, ca_pem), 30) is not None
