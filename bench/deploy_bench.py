"""The measuring half of bench/deploy: run from the repository root with the harness's
environment (images, wheels, the installed collection) already set up.

Two tables from one run on one host. Deploy timings, for pip and uv side by side, each
on a new host, each playbook run as an operator runs it: a first converge, a converge
with no change, a release deploy of a new app wheel (v2), and a release deploy with one
changed dependency.
The switch: the p99 of a
steady mixed load (GET, POST, PUT, with event streams and WebSockets held open) against
the same load while releases that are already built switch (a rollback to v1, then a
deploy of v2 again), in the span of the switch (the link swap, the drain, the stop) and
over the whole playbook run."""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "molecule", "shared"))

from asgi_load import MIXED, Load, LongLived  # noqa: E402

SERVER_NAME = "hello.example.test"
PORT = int(os.environ.get("ASGI_RELEASE_HTTPS_PORT", "18543"))
LOAD_SECONDS = 15
# The role's default release_drain_seconds: the span of a switch is the new release's
# first answer, a second before it, the drain and two seconds for the stop.
DRAIN_SECONDS = 5
STREAMS = WEBSOCKETS = 2
# Requests per second of the mixed load, all clients together: a fixed rate, as clients
# send, so a latency measures the server and the switch, not the queue of a load that
# takes every CPU cycle the playbook leaves (the 8 clients unpaced send over 1,000/s).
LOAD_RATE = 400
# The bar for a switch.
P99_RATIO_TARGET = 1.5


def timed(*command):
    begin = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit("%s failed:\n%s" % (" ".join(command), (done.stdout + done.stderr)[-3000:]))
    return time.monotonic() - begin


def ca_pem():
    return subprocess.run(["docker", "exec", "asgi-release-bookworm", "cat", "/etc/ssl/asgi-deploy/hello.crt"],
                          capture_output=True, text=True, check=True).stdout


def inventory(scenario="release"):
    # Molecule keeps each scenario's state under $ANSIBLE_HOME/tmp (scripts/lib.sh sets it).
    found = glob.glob(os.path.join(os.environ["ANSIBLE_HOME"], "tmp", "molecule.*.%s" % scenario, "inventory"))
    if len(found) != 1:
        sys.exit("expected one inventory of the %s scenario, found %s" % (scenario, found))
    return found[0]


# Targets of the fast-builds issue.
UNCHANGED_TARGET = 10.0
NEW_WHEEL_TARGET = 15.0
INSTALLERS = ("pip", "uv")
# A dependency outside the server lock, in two versions: "one changed dependency".
DEPENDENCY = "six==%s"
DEPENDENCY_VERSIONS = ("1.16.0", "1.17.0")


def written(suffix, text):
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as handle:
        handle.write(text)
    return handle.name


def app_vars(wheel="ASGI_EXAMPLE_WHEEL_V2", installer=None, dependency=None):
    """Extra vars that deploy a wheel of the example app (v2 by default), with a
    requirements file of one dependency if given."""
    app = {"name": "hello", "module": "hello_asgi.main:app", "server_names": [SERVER_NAME],
           "source": {"type": "wheel", "path": os.environ[wheel]},
           "env": {"HELLO_NAME": "hello"}}
    if dependency:
        app["requirements"] = written("-requirements.txt", DEPENDENCY % dependency + "\n")
    extra = {"asgi_apps": [app]}
    if installer:
        extra["app_installer"] = installer
    return written(".json", json.dumps(extra))


def new_host():
    subprocess.run(["molecule", "destroy", "-s", "release"], capture_output=True)
    timed("molecule", "create", "-s", "release")


def build_timings(installer):
    """{what: seconds} on a new host, every run with the installer, each as an operator runs
    it (ansible-playbook against the scenario's inventory). The app keeps one dependency
    outside the server lock throughout, so that the new wheel is the only change of the
    first deploy, and the dependency's version the only change of the second."""
    new_host()
    site = ("site", "-e", "@" + app_vars("ASGI_EXAMPLE_WHEEL", installer, DEPENDENCY_VERSIONS[0]))
    first = playbook(*site)
    unchanged = playbook(*site)
    new_wheel = playbook("deploy", "-e", "@" + app_vars(installer=installer, dependency=DEPENDENCY_VERSIONS[0]))
    changed_dependency = playbook("deploy", "-e", "@" + app_vars(installer=installer, dependency=DEPENDENCY_VERSIONS[1]))
    return {"first converge": first, "converge, no change": unchanged,
            "release deploy, new app wheel": new_wheel, "release deploy, one changed dependency": changed_dependency}


def playbook(name, *args, scenario="release"):
    return timed("ansible-playbook", "-i", inventory(scenario), "asgi.deploy." + name, *args)


def niced_playbook(name, *args):
    """A playbook whose controller yields the CPU to the host's processes (nice 19), as a
    controller on a machine of its own would: here it shares the two cores with the host,
    and its own CPU would otherwise count against the switch's latency."""
    return timed("nice", "-n", "19", "ansible-playbook", "-i", inventory(), "asgi.deploy." + name, *args)


FLEET_TARGET = 1.5


def fleet_timings():
    """A release deploy (a new build on every host) to one host of four, to all four at
    once (serial: 100%) and to all four one after another (serial: 1)."""
    subprocess.run(["molecule", "destroy", "-s", "bench-fleet"], capture_output=True)
    try:
        timed("molecule", "create", "-s", "bench-fleet")
        timed("molecule", "converge", "-s", "bench-fleet")
        one = playbook("deploy", "--limit", "asgi-fleetbench-1", "-e", "@" + app_vars(dependency=DEPENDENCY_VERSIONS[0]),
                       scenario="bench-fleet")
        together = playbook("deploy", "-e", "@" + app_vars(dependency=DEPENDENCY_VERSIONS[1]), scenario="bench-fleet")
        rolled = playbook("deploy", "-e", "asgi_serial=1", "-e",
                          "@" + app_vars("ASGI_EXAMPLE_WHEEL", dependency=DEPENDENCY_VERSIONS[0]), scenario="bench-fleet")
    finally:
        subprocess.run(["molecule", "destroy", "-s", "bench-fleet"], capture_output=True)
    return one, together, rolled


def mixed_load(pem, seconds):
    return Load(SERVER_NAME, PORT, pem, max_seconds=seconds, methods=MIXED, rate=LOAD_RATE), \
        LongLived(SERVER_NAME, PORT, pem, STREAMS, WEBSOCKETS, max_seconds=seconds)


def under_mixed_load(pem, action):
    """(load, long-lived connections, seconds `action` took), the load starting 2 s
    before it and ending 2 s after."""
    load, long_lived = mixed_load(pem, 300)
    with load, long_lived:
        time.sleep(2)
        took = action()
        time.sleep(2)
    return load, long_lived, took


def print_table(title, rows):
    width = max(len(name) for name, _ in rows)
    print("\n" + title)
    for name, value in rows:
        print("  %s  %s" % (name.ljust(width), value))


def main():
    timings = dict((installer, build_timings(installer)) for installer in INSTALLERS)
    targets = {"converge, no change": UNCHANGED_TARGET, "release deploy, new app wheel": NEW_WHEEL_TARGET}
    width = max(len(name) for name in timings["uv"])
    print("\nDeploy timings on one host, pip and uv side by side (each on a new host)")
    print("  %s  %8s  %8s  %8s  %s" % ("".ljust(width), "pip", "uv", "uv/pip", "target (uv)"))
    for name in timings["uv"]:
        pip_seconds, uv_seconds = timings["pip"][name], timings["uv"][name]
        target = targets.get(name)
        print("  %s  %7.1fs  %7.1fs  %8.2f  %s" % (
            name.ljust(width), pip_seconds, uv_seconds, uv_seconds / pip_seconds,
            "<= %.0f s: %s" % (target, "met" if uv_seconds <= target else "NOT MET") if target else ""))

    one, together, rolled = fleet_timings()
    print_table("A release deploy to a fleet of four hosts (uv, a new build on each host)", [
        ("one host of the four", "%.1f s" % one),
        ("four hosts, serial: 100%", "%.1f s, %.2f x one host (target <= %.1f: %s)"
         % (together, together / one, FLEET_TARGET, "met" if together / one <= FLEET_TARGET else "NOT MET")),
        ("four hosts, serial: 1 (the roll)", "%.1f s" % rolled),
    ])

    # On the uv host, where v2 with the second dependency version is live: a release
    # deploy that builds v1 with the first one, under the mixed load.
    pem = ca_pem()
    extra = app_vars("ASGI_EXAMPLE_WHEEL", dependency=DEPENDENCY_VERSIONS[0])
    built, _, deploy = under_mixed_load(pem, lambda: playbook("deploy", "-e", "@" + extra))
    print_table("A release deploy that builds, under the mixed load (uv)", [
        ("release deploy (v2 -> v1, builds v1)", "%.1f s, p99 %.1f ms, %d requests, %d failed"
         % (deploy, 1000 * built.percentile(0.99), built.requests, len(built.failures))),
    ])

    steady, steady_long_lived = mixed_load(pem, LOAD_SECONDS)
    with steady, steady_long_lived:
        time.sleep(LOAD_SECONDS)
    steady_p99 = steady.percentile(0.99)
    rows = [("steady state, %d s" % LOAD_SECONDS, "p99 %.1f ms (%d requests, %d failed)"
             % (1000 * steady_p99, steady.requests, len(steady.failures)))]
    failed = len(steady.failures)
    for name, new, action in [("rollback v1 -> v2", "2.0.0", lambda: niced_playbook("rollback")),
                              ("deploy v2 -> v1 (built)", "1.0.0", lambda: niced_playbook("deploy", "-e", "@" + extra))]:
        load, long_lived, took = under_mixed_load(pem, action)
        start = load.first_answer.get(new)
        if start is None:
            sys.exit("%s: release %s never answered" % (name, new))
        span = (start - 1, start + DRAIN_SECONDS + 2)
        span_p99 = load.percentile(0.99, between=span)
        failed += len(load.failures) + len(long_lived.errors)
        ends = sorted({str(ended.end) for ended in long_lived.ended})
        rows += [
            (name + ", the switch", "p99 %.1f ms (%d requests), ratio to steady %.2f"
             % (1000 * span_p99, load.requests_between(*span), span_p99 / steady_p99)),
            (name + ", whole playbook", "p99 %.1f ms (%d requests in %.1f s), ratio to steady %.2f"
             % (1000 * load.percentile(0.99), load.requests, took, load.percentile(0.99) / steady_p99)),
            (name + ", failed", "%d requests (%s), long-lived connections ended: %s"
             % (len(load.failures), ", ".join("%s %d" % item for item in sorted(load.by_method.items())),
                ", ".join(ends) or "none")),
        ]
    rows.append(("failed requests in all", "%d (target 0)" % failed))
    rows.append(("load average", " ".join("%.2f" % value for value in os.getloadavg())))
    print_table("The switch under the mixed load of %d requests/s, the controller at nice 19 (target: p99 ratio <= %.1f,"
                " 0 failed)" % (LOAD_RATE, P99_RATIO_TARGET), rows)


if __name__ == "__main__":
    main()
