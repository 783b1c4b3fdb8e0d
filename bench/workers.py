"""Worker-count sweep on a deployed test host; bench/workers sets the host up and runs this.

Everything runs inside the host (docker exec): wrk loads its own nginx over HTTPS on
127.0.0.1, so Docker's userland proxy never sits in the path, and bare uvicorn is
measured the same way in the same run.
"""

import argparse
import importlib.util
import os
import re
import statistics
import sys
import time

# bench/serve.py: the test host, the module run as the role does, and one measured load run.
from serve import Host, measure, module_choice

APP = "hello"
SERVER_NAME = "hello.example.test"
# The bench host runs one release, from its first slot: the configuration is that slot's.
CONFIG = "/etc/asgi-deploy/%s/slots/a/gunicorn.conf.py" % APP
VENV = "/srv/%s/current/venv" % APP
UVICORN_UNIT = "asgi-bench-uvicorn"
UVICORN_PORT = 8000
# Ports as numbers: the minimal image has no /etc/services for wrk to look "https" up in.
STACK_URL = "https://%s:443/" % SERVER_NAME
UVICORN_URL = "http://127.0.0.1:%d/" % UVICORN_PORT
LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def configured(host, name):
    return int(re.search(r"^%s = (\d+)$" % name, host.run("cat " + CONFIG), re.M).group(1))


def live_service(host):
    """The app's running gunicorn unit (its live release slot)."""
    units = host.run("systemctl list-units --plain --no-legend --state=running 'asgi-%s*.service'" % APP).split()
    if not units:
        sys.exit("no running gunicorn unit of %s" % APP)
    return units[0]


def gunicorn_pids(host):
    master = host.run("systemctl show -p MainPID --value " + live_service(host)).strip()
    return master, host.run("pgrep -P %s || true" % master).split()


def set_setting(host, name, value):
    host.run(r"sed -i 's/^%s = [0-9]*$/%s = %d/' %s" % (name, name, value, CONFIG))


def restart_with(host, workers):
    """Restart the live slot with this many workers; wait until it answers with all of them."""
    set_setting(host, "workers", workers)
    # The sweep restarts faster than the unit's start limit allows a crash loop to.
    host.run("systemctl reset-failed " + live_service(host), check=False)
    host.run("systemctl restart " + live_service(host))
    host.answers(STACK_URL)
    deadline = time.monotonic() + 30
    while len(gunicorn_pids(host)[1]) != workers:
        if time.monotonic() > deadline:
            sys.exit("gunicorn did not reach %d workers" % workers)
        time.sleep(0.5)


def wrk(host, url, args):
    """One bounded load run: (requests/s, p99 ms, failed requests).

    Failed requests (non-2xx answers, wrk's socket errors and timeouts) are counted and
    shown beside the figure, not hidden in it.
    """
    output = host.run("wrk -t%d -c%d -d%ds --latency %s" % (args.threads, args.connections, args.duration, url))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if not (rate and p99):
        sys.exit("wrk gave no figures against %s:\n%s" % (url, output))
    non_2xx = re.search(r"^\s+Non-2xx or 3xx responses: (\d+)", output, re.M)
    socket_errors = re.search(r"^\s+Socket errors: (.*)$", output, re.M)
    failed = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        failed += sum(int(number) for number in re.findall(r"\d+", socket_errors.group(1)))
    return float(rate.group(1)), float(p99.group(1)) * LATENCY_UNITS[p99.group(2)], failed


def warm_and_load(host, url, args):
    host.run("wrk -t%d -c%d -d%ds %s >/dev/null" % (args.threads, args.connections, args.warmup, url))
    return wrk(host, url, args)


def rss_mib(host, pid):
    status = host.run("cat /proc/%s/status" % pid)
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024


NGINX_APP_CONF = "/etc/nginx/conf.d/asgi-app-%s.conf" % APP


def observe_module():
    """plugins/module_utils/_observe.py (pure Python): the logging configurations the role writes."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugins", "module_utils", "_observe.py")
    spec = importlib.util.spec_from_file_location("asgi_deploy_observe", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def observability(host, on):
    """JSON logs (gunicorn, uvicorn, the app, nginx's access log) and request metrics on, as
    deployed; or off: the same lines in text and no request counting."""
    config = host.run("cat " + CONFIG)
    log_format = "json" if on else "text"
    access = re.search(r"^accesslog = (.*)$", config, re.M).group(1) != "None"
    level = re.search(r"^loglevel = '(\w+)'$", config, re.M).group(1)
    # repr() of the mapping of text, booleans and lists is the Python literal the role writes.
    config = re.sub(r"^logconfig_dict = .*$", lambda _: "logconfig_dict = %r" % observe_module().logconfig(
        log_format, access_log=access, level=level), config, flags=re.M)
    config = re.sub(r"instrument=(True|False)\)", "instrument=%s)" % on, config)
    host.write(CONFIG, config)
    host.run("sed -i -E 's/ asgi_(json|combined)([ ;])/ %s\\2/' %s && nginx -t -q && systemctl reload nginx"
             % ("asgi_json" if on else "asgi_combined", NGINX_APP_CONF))


def compare_observability(host, args, chosen):
    """Throughput and CPU per request with JSON logs and metrics on / off at the chosen
    worker count, interleaved (the side that goes first alternates by round). The CPU is
    what nginx, the app's slot and journald (which takes every log line) used, per request
    served: unlike requests/s it does not move with what else the machine runs."""
    units = [live_service(host), "nginx.service", "systemd-journald.service"]
    runs = {True: [], False: []}
    loads = []
    for round_number in range(1, args.rounds + 1):
        for on in (True, False) if round_number % 2 else (False, True):
            observability(host, on)
            restart_with(host, chosen)
            runs[on].append(measure(host, STACK_URL, units, args))
            loads.append(os.getloadavg()[0])
            print("round %d: JSON logs + metrics %-3s: %.0f req/s, %.1f µs CPU/request"
                  % (round_number, "on" if on else "off", runs[on][-1]["rate"], runs[on][-1]["cpu"]), file=sys.stderr)
    observability(host, True)
    restart_with(host, chosen)
    best = {on: max(run["rate"] for run in runs[on]) for on in runs}
    cpu = {on: statistics.median(run["cpu"] for run in runs[on]) for on in runs}
    p99 = {on: statistics.median(run["p99"] for run in runs[on]) for on in runs}
    print("host %s: %d workers; wrk -t%d -c%d -d%ds --latency after %ds of warm-up, %d rounds; "
          "load average after each run %.1f to %.1f"
          % (args.host, chosen, args.threads, args.connections, args.duration, args.warmup, args.rounds,
             min(loads), max(loads)))
    print()
    print("| JSON logs + metrics | req/s, best (HTTPS via nginx) | CPU µs/request, median (nginx + app + journald) "
          "| p99 ms, median | failed requests (all rounds) |")
    print("|---|---:|---:|---:|---:|")
    for label, on in (("on (deployed)", True), ("off (text, no counting)", False)):
        print("| %s | %.0f | %.1f | %.1f | %d |" % (label, best[on], cpu[on], p99[on], sum(run["failed"] for run in runs[on])))
    print()
    print("JSON logs + metrics on / off = %.3f (requests/s, best of each side; target >= 0.90)" % (best[True] / best[False]))
    print("CPU per request off / on = %.3f (the throughput ratio the CPU cost alone allows; median of each side)"
          % (cpu[False] / cpu[True]))
    print("spread (req/s | µs CPU/request of each round): on %s | %s; off %s | %s" % tuple(
        "/".join(fmt % run[field] for run in runs[on])
        for on in (True, False) for field, fmt in (("rate", "%.0f"), ("cpu", "%.1f"))))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host", help="container name of the deployed test host")
    parser.add_argument("--duration", type=int, default=8, help="seconds per load run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measured run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="runs per count; the best counts")
    parser.add_argument("--observability", action="store_true",
                        help="instead of the sweep, JSON logs and metrics on vs off at the chosen count")
    args = parser.parse_args()
    host = Host(args.host)
    if args.observability:
        return compare_observability(host, args, configured(host, "workers"))

    cpus = int(host.run("nproc"))
    chosen = configured(host, "workers")
    max_requests = configured(host, "max_requests")
    sizing = module_choice(host)
    if sizing["workers"] != chosen:
        sys.exit("the module now says %d workers, the role wrote %d" % (sizing["workers"], chosen))
    counts = range(1, 2 * cpus + 2)

    stack = {count: [] for count in counts}
    no_recycling = []
    bare = []
    for round_number in range(1, args.rounds + 1):
        # Rounds interleave the counts so a burst of other load on the machine hits one
        # run of each, not every run of one count.
        for count in counts:
            restart_with(host, count)
            stack[count].append(warm_and_load(host, STACK_URL, args))
            print("round %d: %d workers %.0f req/s" % (round_number, count, stack[count][-1][0]), file=sys.stderr)
        # gunicorn replaces a worker after max_requests; at thousands of requests a second
        # that is every few seconds. Bare uvicorn never does: measure the stack without it too.
        set_setting(host, "max_requests", 0)
        restart_with(host, chosen)
        no_recycling.append(warm_and_load(host, STACK_URL, args))
        set_setting(host, "max_requests", max_requests)
        print("round %d: %d workers, max_requests 0: %.0f req/s" % (round_number, chosen, no_recycling[-1][0]),
              file=sys.stderr)
        host.run("systemd-run --unit %s --uid %s --gid %s -p WorkingDirectory=/srv/%s/shared "
                 "-p EnvironmentFile=/etc/asgi-deploy/%s/env %s/bin/uvicorn %s --host 127.0.0.1 --port %d "
                 "--no-access-log" % (UVICORN_UNIT, APP, APP, APP, APP, VENV,
                                      "hello_asgi.main:app", UVICORN_PORT))
        host.answers(UVICORN_URL)
        bare.append(warm_and_load(host, UVICORN_URL, args))
        host.run("systemctl stop " + UVICORN_UNIT)
        print("round %d: bare uvicorn %.0f req/s" % (round_number, bare[-1][0]), file=sys.stderr)

    # Resident memory after load, at the chosen count.
    restart_with(host, chosen)
    warm_and_load(host, STACK_URL, args)
    master, workers = gunicorn_pids(host)
    worker_rss = [rss_mib(host, pid) for pid in workers]

    best = {count: max(runs) for count, runs in stack.items()}
    best_count = max(best, key=lambda count: best[count][0])
    bare_best = max(bare)
    stack_rate = best[chosen][0]

    print("host %s: %d usable CPUs; wrk -t%d -c%d -d%ds --latency, best of %d rounds"
          % (args.host, cpus, args.threads, args.connections, args.duration, args.rounds))
    print()
    print("| workers | req/s (HTTPS via nginx) | p99 ms | of best | failed requests (all rounds) |")
    print("|--------:|------------------------:|-------:|--------:|-----------------------------:|")
    for count in counts:
        rate, p99 = best[count][:2]
        marks = " (chosen)" if count == chosen else ""
        marks += " (2n+1)" if count == 2 * cpus + 1 else ""
        print("| %d%s | %.0f | %.1f | %.0f%% | %d |" % (count, marks, rate, p99, 100 * rate / best[best_count][0],
                                                       sum(run[2] for run in stack[count])))
    recycling_best = max(no_recycling)
    print("| %d, max_requests 0 | %.0f | %.1f | | %d |" % (chosen, recycling_best[0], recycling_best[1],
                                                         sum(run[2] for run in no_recycling)))
    print("| bare uvicorn, HTTP | %.0f | %.1f | | %d |" % (bare_best[0], bare_best[1], sum(run[2] for run in bare)))
    print()
    print("module: %s" % sizing["reason"])
    print("chosen %d, best %d: chosen/best = %.3f (target >= 0.95)"
          % (chosen, best_count, stack_rate / best[best_count][0]))
    print("deployed stack (HTTPS, %d workers, max_requests %d) / bare uvicorn (HTTP, 1 process) = %.2f (target >= 1.4)"
          % (chosen, max_requests, stack_rate / bare_best[0]))
    print("same without worker recycling (max_requests 0, as bare uvicorn) / bare uvicorn = %.2f"
          % (recycling_best[0] / bare_best[0]))
    print("resident memory: master %.1f MiB, worker %.1f MiB (max of %d; mean %.1f)"
          % (rss_mib(host, master), max(worker_rss), len(worker_rss), statistics.mean(worker_rss)))
    print("spread per count (req/s of each round): " + "; ".join(
        "%d: %s" % (count, "/".join("%.0f" % run[0] for run in runs)) for count, runs in stack.items())
        + "; %d with max_requests 0: " % chosen + "/".join("%.0f" % run[0] for run in no_recycling)
        + "; uvicorn: " + "/".join("%.0f" % run[0] for run in bare))


if __name__ == "__main__":
    main()
