"""Hosts started under real limits: asgi.deploy.gunicorn_workers reports the limit, not
the machine that Ansible's facts still show, and gunicorn runs the count it computed."""

import json
import os
import re

import pytest

# What each host's limit must show through the module. The memory host's inventory
# sets gunicorn_worker_memory_mb 200, so memory (256 MB after the reserve) decides.
EXPECTED = {
    "asgi-limits-quota": {"cpus": 1.0, "cpus_source": "cgroup", "workers": 2, "bound": "cpu", "args": {}},
    "asgi-limits-cpuset": {"cpus": 1.0, "cpus_source": None, "workers": 2, "bound": "cpu", "args": {}},
    "asgi-limits-memory": {"memory_mb": 512, "workers": 1, "bound": "memory",
                           "args": {"worker_memory_mb": 200}},
}
MACHINE_CPUS = os.cpu_count()


@pytest.fixture(scope="module")
def expected(host):
    return EXPECTED[host.backend.get_hostname()]


@pytest.fixture(scope="module")
def role_sizing(host, expected):
    """The module's result with the arguments the gunicorn role passed on this host."""
    return sizing(host, **expected["args"])


def sizing(host, **args):
    """The module's result on the host, with the role's defaults unless overridden."""
    module_args = " ".join("%s=%s" % item for item in dict({"max_workers": 16}, **args).items())
    result = host.ansible("asgi.deploy.gunicorn_workers", module_args, check=True)
    assert not result.get("failed"), result
    return result


def test_facts_still_show_the_machine(host):
    assert MACHINE_CPUS > 1, "the machine needs more than one CPU for the limits to show"
    facts = host.ansible("setup", "gather_subset=hardware")["ansible_facts"]
    assert facts["ansible_processor_vcpus"] == MACHINE_CPUS


def test_module_reports_the_cpu_limit(role_sizing, expected):
    result = role_sizing
    assert result["changed"] is False
    if "cpus" in expected:
        assert result["cpus"] == expected["cpus"] < MACHINE_CPUS
        if expected["cpus_source"]:
            # cgroup v1 cpu.cfs_quota_us here (hybrid host), cgroup v2 cpu.max on pure v2.
            assert result["sources"]["cpus"].startswith(expected["cpus_source"]), result
    else:
        assert result["cpus"] == MACHINE_CPUS


def test_module_reports_the_memory_limit(host, expected):
    # Nothing reserved: memory_mb is what the host offers.
    result = sizing(host, reserved_memory_mb=0, worker_memory_mb=1)
    if "memory_mb" in expected:
        assert result["memory_mb"] == expected["memory_mb"]
        assert result["sources"]["memory_mb"].startswith("cgroup"), result
    else:
        assert result["memory_mb"] > 512
        assert result["sources"]["memory_mb"] == "MemAvailable"


def test_gunicorn_runs_the_computed_workers(host, role_sizing, expected):
    result = role_sizing
    assert (result["workers"], result["bound"]) == (expected["workers"], expected["bound"]), result["reason"]
    config = host.file("/etc/asgi-deploy/hello/slots/a/gunicorn.conf.py").content_string
    assert int(re.search(r"^workers = (\d+)$", config, re.M).group(1)) == result["workers"]
    # The live release slot's unit: the only running one after a first deploy.
    units = host.check_output("systemctl list-units --plain --no-legend --state=running 'asgi-hello*.service'")
    assert len(units.splitlines()) == 1, units
    master = host.check_output("systemctl show -p MainPID --value %s", units.split()[0])
    assert int(master) > 0
    assert len(host.check_output("pgrep -P %s", master).split()) == result["workers"]


def test_app_answers_through_nginx(host):
    body = host.check_output(
        "curl -sS --fail --cacert /etc/ssl/asgi-deploy/hello.crt "
        "--resolve hello.example.test:443:127.0.0.1 https://hello.example.test/")
    reply = json.loads(body)
    assert (reply["app"], reply["scheme"], reply["host"]) == ("hello-asgi", "https", "hello.example.test")
