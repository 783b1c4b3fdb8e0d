"""Serving-stack bench on a deployed test host; bench/serve sets the host up and runs this.

Each setup serves the same app (the example FastAPI app, GET /) from the same release
venv, loaded by the same wrk command inside the host. Per run the bench records what wrk
saw (requests/s, p99, failed requests) and the CPU time the server's own systemd units
used (cgroup cpu.stat usage_usec of every unit of the setup, nginx included) divided by
the requests served: that figure does not depend on how much CPU wrk itself took.

Setups run interleaved, in a shuffled order per round, and the table quotes the median
with min and max over the rounds.
"""

import argparse
import ast
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

APP = "hello"
SERVER_NAME = "hello.example.test"
ETC = "/etc/asgi-deploy/%s" % APP
SHARED = "/srv/%s/shared" % APP
# Links to the live slot ("slots/a" or "slots/b"): its configuration is what the bench edits.
CURRENT = "/srv/%s/current" % APP
VENV = "/srv/%s/current/venv" % APP
ASGI_PATH = "hello_asgi.main:app"
NGINX_CONF = "/etc/nginx/nginx.conf"
APP_CONF = "/etc/nginx/conf.d/asgi-app-%s.conf" % APP
RUN_DIR = "/run/asgi-bench"
# The peers' sockets: the app's user creates them, nginx's workers connect.
SOCKET_DIR = RUN_DIR + "/sockets"
GRANIAN_VENV = "/opt/asgi-bench-granian"
# Where the gunicorn role puts asgi_deploy_runtime, which gunicorn.conf.py imports.
RUNTIME_DIR = "/usr/local/lib/asgi-deploy/python"
HERE = os.path.dirname(os.path.abspath(__file__))
# Ports as numbers: the minimal image has no /etc/services for wrk to look "https" up in.
STACK_URL = "https://%s:443/" % SERVER_NAME
TUNED_PORT = 8443
LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
PAUSE_POLL = 30

# The collection's extras that are on by default, and how each is switched off in the
# files the roles wrote. Each edit must match, so a template change fails the bench.
# json_logs off writes the same records in the collection's text format; metrics off
# keeps the middleware (the request id in the log context) and stops counting requests.
DEFAULT_EXTRAS = ("access_log", "sandbox", "headers", "gzip", "json_logs", "metrics")
# What else the stack does that the hand-tuned setup does not, each switched off alone: the
# maintenance flag's file test on every request, the proxy headers beyond Host,
# X-Forwarded-For and X-Forwarded-Proto (the request id, the cleared client headers, the
# upgrade), and the collection's runtime hooks in gunicorn (the middleware and metrics).
BASE_PARTS = ("maintenance", "proxy_headers", "runtime")
# How the app's own log lines reach the journal in every peer setup (plain text).
APP_LOGGING = RUN_DIR + "/app-logging.json"


class LiveSlot:
    """The files of the slot that serves: its gunicorn.conf.py, its environment file and
    its sandbox drop-in. The bench edits them, and the peers run with them."""

    def __init__(self, host):
        self.name = os.path.basename(host.run("readlink " + CURRENT).strip())
        if self.name not in ("a", "b"):
            sys.exit("%s does not link to a slot" % CURRENT)
        self.config = "%s/slots/%s/gunicorn.conf.py" % (ETC, self.name)
        self.env_file = "%s/slots/%s/env" % (ETC, self.name)
        self.hardening = "/etc/systemd/system/asgi-%s@%s.service.d/50-asgi-deploy.conf" % (APP, self.name)


class Host:
    def __init__(self, name):
        self.name = name

    def run(self, command, check=True, stdin=None, timeout=300):
        done = subprocess.run(["docker", "exec", "-i", self.name, "sh", "-c", command], input=stdin,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode:
            sys.exit("%s failed on %s (%d):\n%s%s" % (command, self.name, done.returncode, done.stdout, done.stderr))
        return done.stdout

    def write(self, path, text):
        self.run("cat > %s" % path, stdin=text)

    def answers(self, url, timeout=60):
        """Wait until the URL answers 200; fail the bench when it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.run("curl -sk -o /dev/null -w '%%{http_code}' %s" % url, check=False) == "200":
                return
            time.sleep(0.3)
        sys.exit("%s did not answer within %d s" % (url, timeout))


def module_choice(host):
    """Run asgi.deploy.gunicorn_workers on the host as the gunicorn role does (role defaults)."""
    done = subprocess.run(
        ["ansible", "all", "-i", host.name + ",", "-c", "community.docker.docker", "-o",
         "-m", "asgi.deploy.gunicorn_workers", "-a", "max_workers=16"],
        capture_output=True, text=True, timeout=120)
    if done.returncode:
        sys.exit("the module failed:\n" + done.stdout + done.stderr)
    return json.loads(done.stdout.split("=>", 1)[1])


def edit(text, pattern, replacement, what):
    new, count = re.subn(pattern, replacement, text, flags=re.M)
    if not count:
        sys.exit("cannot switch off %s: no line matches %r" % (what, pattern))
    return new


class Stack:
    """The deployed stack, switched between variants by editing the files the roles wrote.

    The originals are read once and every variant is made from them, so a variant never
    builds on another; restore() puts the originals back.
    """

    def __init__(self, host, chosen, slot):
        self.host, self.slot = host, slot
        self.nginx_conf = host.run("cat " + NGINX_CONF)
        self.app_conf = host.run("cat " + APP_CONF)
        self.gunicorn_conf = host.run("cat " + slot.config)
        self.hardening = host.run("cat " + slot.hardening)
        self.chosen = chosen
        self.state = {"nginx": (self.nginx_conf, self.app_conf), "gunicorn": None}

    def service(self):
        units = self.host.run("systemctl list-units --plain --no-legend --state=running 'asgi-%s@*.service'" % APP)
        if not units.split():
            sys.exit("no running gunicorn unit of %s" % APP)
        return units.split()[0]

    def nginx_files(self, off=(), log_format=None, log_buffer=None):
        nginx_conf, app_conf = self.nginx_conf, self.app_conf
        # access_log PATH FORMAT[ buffer=SIZE flush=TIME];
        log_line = r"^(\s*access_log)( /var/log/nginx/%s\.access\.log) (\w+)((?: \w+=\w+)*);$" % APP
        if "access_log" in off:
            app_conf = edit(app_conf, log_line, r"\1 off;", "the access log")
        else:
            if log_format:
                app_conf = edit(app_conf, log_line, r"\1\2 %s\4;" % log_format, "the access log format")
            if log_buffer is not None:  # "" writes line by line, a size buffers for 1 s
                app_conf = edit(app_conf, log_line, r"\1\2 \3%s;" % (log_buffer and " buffer=%s flush=1s" % log_buffer),
                                "the access log buffer")
        if "headers" in off:
            app_conf = edit(app_conf, r"^\s*add_header .*\n", "", "the headers")
        if "maintenance" in off:
            # The if block, up to its closing brace.
            app_conf = edit(app_conf, r"^\s*if \(-f .*\{\n(?:.*\n)*?\s*\}\n", "", "the maintenance flag's test")
        if "proxy_headers" in off:
            app_conf = edit(app_conf, r"^\s*proxy_set_header (?!Host |X-Forwarded-For |X-Forwarded-Proto |Connection ).*\n",
                            "", "the proxy headers")
            app_conf = edit(app_conf, r"^(\s*proxy_set_header Connection ).*;$", r'\1"";', "the upgrade header")
        if "gzip" in off:
            nginx_conf = edit(nginx_conf, r"^(\s*)gzip on;$", r"\1gzip off;", "gzip")
        return nginx_conf, app_conf

    def gunicorn_files(self, off, workers):
        """The slot's gunicorn.conf.py of a variant, and whether the sandbox stays."""
        conf = edit(self.gunicorn_conf, r"^workers = \d+$", "workers = %d" % workers, "workers")
        if "json_logs" in off:
            conf = edit(conf, r"^logconfig_dict = .*$", "logconfig_dict = " + text_logconfig(conf), "the JSON logs")
        if "metrics" in off:
            conf = edit(conf, r"^(\s*instrument=)True\)$", r"\1False)", "the request metrics")
        if "runtime" in off:
            conf = edit(conf, r"^from asgi_deploy_runtime import hooks .*\n(?:.*\n)*?\s*instrument=\w+\)\n", "",
                        "the runtime hooks")
        return conf, "sandbox" not in off

    def apply(self, off=(), log_format=None, log_buffer=None, workers=None):
        """Bring the stack into a variant; restart only what changed; wait until it answers."""
        host, workers = self.host, workers or self.chosen
        nginx = self.nginx_files(off, log_format, log_buffer)
        if nginx != self.state["nginx"]:
            host.write(NGINX_CONF, nginx[0])
            host.write(APP_CONF, nginx[1])
            host.run("nginx -t -q && systemctl restart nginx")
            self.state["nginx"] = nginx
        gunicorn = self.gunicorn_files(off, workers)
        if gunicorn != self.state["gunicorn"]:
            conf, sandbox = gunicorn
            host.write(self.slot.config, conf)
            if sandbox:
                host.write(self.slot.hardening, self.hardening)
            else:
                host.run("rm -f " + self.slot.hardening)
            service = self.service()
            # The bench restarts faster than the unit's start limit allows a crash loop to.
            host.run("systemctl daemon-reload && systemctl reset-failed %s; systemctl restart %s" % (service, service))
            host.answers(STACK_URL)
            wait_for_workers(host, service, workers)
            self.state["gunicorn"] = gunicorn
        host.answers(STACK_URL)
        return ["nginx.service", self.service()]

    def restore(self):
        self.apply()
        self.host.write(self.slot.config, self.gunicorn_conf)


def text_logconfig(conf):
    """The logconfig_dict line's value in the collection's text format, with the access log
    and level the deployed gunicorn.conf.py has: made by the collection's own functions."""
    if os.environ["ANSIBLE_COLLECTIONS_PATH"] not in sys.path:
        sys.path.insert(0, os.environ["ANSIBLE_COLLECTIONS_PATH"])
    from ansible_collections.asgi.deploy.plugins.module_utils._escape import python_literal
    from ansible_collections.asgi.deploy.plugins.module_utils._observe import logconfig
    setting = lambda name: ast.literal_eval(re.search(r"^%s = (.*)$" % name, conf, re.M).group(1))
    return python_literal(logconfig("text", access_log=setting("accesslog") is not None, level=setting("loglevel")))


def wait_for_workers(host, unit, count, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        main = host.run("systemctl show -p MainPID --value " + unit).strip()
        if len(host.run("pgrep -P %s || true" % main).split()) == count:
            return
        if time.monotonic() > deadline:
            sys.exit("%s did not reach %d workers" % (unit, count))
        time.sleep(0.3)


def transient(host, unit, command, env_file=None):
    """Start a command as a transient systemd unit (no sandbox); with env_file (the live
    slot's), as the app's user with that environment: the slot's gunicorn.conf.py, which
    gunicorn alone runs with, imports the runtime module."""
    identity = ("--uid %s --gid %s -p WorkingDirectory=%s -p EnvironmentFile=%s -p Environment=PYTHONPATH=%s "
                % (APP, APP, SHARED, env_file, RUNTIME_DIR) if env_file else "")
    host.run("systemctl reset-failed %s 2>/dev/null; systemd-run --collect --unit %s %s%s"
             % (unit, unit, identity, command))


class Peer:
    """A setup started beside the stack for its runs and stopped after them; with
    stack_app, its nginx proxies to the deployed gunicorn, whose CPU is measured with it."""

    def __init__(self, name, url, units, start, workers=None, stack_app=False):
        self.name, self.url, self.units, self.start, self.workers = name, url, units, start, workers
        self.stack_app = stack_app

    def up(self, host):
        for unit, command, env_file in self.start:
            transient(host, unit, command, env_file)
        host.answers(self.url)
        if self.workers:
            wait_for_workers(host, self.units[-1], self.workers)
        return self.units

    def down(self, host):
        host.run("systemctl stop %s" % " ".join(unit + ".service" for unit, _, _ in self.start), check=False)


def tuned_nginx(host, socket):
    """The hand-tuned nginx config of bench/serve.d with this host's TLS lines and files."""
    with open(os.path.join(HERE, "serve.d", "nginx-tuned.conf")) as handle:
        text = handle.read()
    deployed = host.run("cat " + NGINX_CONF)
    tls = "\n".join(line for line in deployed.splitlines()
                    if re.match(r"\s*ssl_(protocols|ciphers|ecdh_curve|prefer_server_ciphers|session_\w+) ", line))
    app_conf = host.run("cat " + APP_CONF)
    fill = {"@TLS@": tls, "@SOCKET@": socket, "@PORT@": str(TUNED_PORT), "@SERVER_NAME@": SERVER_NAME,
            "@RUN_DIR@": RUN_DIR,
            "@CERT@": re.search(r"^\s*ssl_certificate (\S+);", app_conf, re.M).group(1),
            "@KEY@": re.search(r"^\s*ssl_certificate_key (\S+);", app_conf, re.M).group(1)}
    for name, value in fill.items():
        text = text.replace(name, value)
    return text


def peers(host, workers, slot):
    """The comparison setups: hand-tuned nginx + gunicorn, granian, gunicorn alone, uvicorn.
    Each writes the app's own log lines to the journal as plain text (app-logging.json);
    gunicorn alone runs with the live slot's gunicorn.conf.py, JSON logs and metrics included."""
    env = slot.env_file
    with open(os.path.join(HERE, "serve.d", "gunicorn-tuned.conf.py")) as handle:
        gunicorn_tuned = handle.read()
    host.run("mkdir -p %s && install -d -o %s -g www-data -m 0750 %s" % (RUN_DIR, APP, SOCKET_DIR))
    host.write(RUN_DIR + "/gunicorn-tuned.conf.py", gunicorn_tuned)
    with open(os.path.join(HERE, "serve.d", "app-logging.json")) as handle:
        host.write(APP_LOGGING, handle.read())
    host.write(RUN_DIR + "/nginx-tuned.conf", tuned_nginx(host, SOCKET_DIR + "/tuned.sock"))
    host.write(RUN_DIR + "/nginx-tuned-granian.conf", tuned_nginx(host, SOCKET_DIR + "/granian.sock"))
    live_socket = re.search(r"^\s*server unix:(\S+)", host.run("cat " + APP_CONF), re.M).group(1)
    host.write(RUN_DIR + "/nginx-tuned-stack.conf", tuned_nginx(host, live_socket))
    host.run("nginx -t -q -c %s/nginx-tuned.conf" % RUN_DIR)
    tuned_url = "https://%s:%d/" % (SERVER_NAME, TUNED_PORT)
    nginx = "/usr/sbin/nginx -g 'daemon off;' -c %s/" % RUN_DIR
    gunicorn = "%s/bin/gunicorn %s --workers %d " % (VENV, ASGI_PATH, workers)
    granian = ("%s/bin/python -m granian --interface asgi --loop uvloop --workers %d --log-config %s "
               % (GRANIAN_VENV, workers, APP_LOGGING))
    return [
        Peer("hand-tuned: nginx (bench/serve.d) -> gunicorn, UNIX socket", tuned_url,
             ["asgi-bench-tuned-nginx.service", "asgi-bench-tuned.service"],
             [("asgi-bench-tuned", gunicorn + "-c %s/gunicorn-tuned.conf.py --bind unix:%s/tuned.sock"
               % (RUN_DIR, SOCKET_DIR), env),
              ("asgi-bench-tuned-nginx", nginx + "nginx-tuned.conf", None)], workers),
        Peer("hand-tuned nginx -> the deployed gunicorn", tuned_url, ["asgi-bench-tuned-nginx.service"],
             [("asgi-bench-tuned-nginx", nginx + "nginx-tuned-stack.conf", None)], stack_app=True),
        Peer("hand-tuned nginx -> granian, UNIX socket", tuned_url,
             ["asgi-bench-tuned-nginx.service", "asgi-bench-granian-uds.service"],
             [("asgi-bench-granian-uds", granian + "--uds %s/granian.sock --uds-permissions 0o777 %s"
               % (SOCKET_DIR, ASGI_PATH), env),
              ("asgi-bench-tuned-nginx", nginx + "nginx-tuned-granian.conf", None)], workers),
        Peer("gunicorn alone, HTTP over TCP", "http://127.0.0.1:8001/", ["asgi-bench-gunicorn.service"],
             [("asgi-bench-gunicorn", gunicorn + "-c %s --bind 127.0.0.1:8001" % slot.config, env)], workers),
        Peer("granian alone, HTTP over TCP", "http://127.0.0.1:8002/", ["asgi-bench-granian.service"],
             [("asgi-bench-granian", granian + "--host 127.0.0.1 --port 8002 " + ASGI_PATH, env)], workers),
        Peer("bare uvicorn (uvloop, httptools), 1 process, HTTP", "http://127.0.0.1:8000/",
             ["asgi-bench-uvicorn.service"],
             [("asgi-bench-uvicorn", "%s/bin/uvicorn %s --host 127.0.0.1 --port 8000 --loop uvloop --http httptools "
               "--no-access-log --log-config %s" % (VENV, ASGI_PATH, APP_LOGGING), env)]),
    ]


# One measured run inside the host: the units' CPU counters, wrk, the counters again, then
# every process of the units with its parent, RSS and PSS (kB). cgroup v2 keeps cpu.stat
# in every cgroup; on a hybrid host the v2 tree is /sys/fs/cgroup/unified.
MEASURE = r"""
cpu() {
  for unit in $UNITS; do
    group=$(systemctl show -p ControlGroup --value "$unit")
    for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
      if [ -r "$root$group/cpu.stat" ]; then sed -n "s/^usage_usec /cpu $unit /p" "$root$group/cpu.stat"; break; fi
    done
  done
}
echo before; cpu
wrk $WRK "$URL"
echo after; cpu
for unit in $UNITS; do
  group=$(systemctl show -p ControlGroup --value "$unit")
  main=$(systemctl show -p MainPID --value "$unit")
  for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -r "$root$group/cgroup.procs" ] || continue
    for pid in $(cat "$root$group/cgroup.procs"); do
      ppid=$(awk '{print $4}' /proc/$pid/stat 2>/dev/null) || continue
      rss=$(awk '$1 == "VmRSS:" {print $2}' /proc/$pid/status)
      pss=$(awk '$1 == "Pss:" {print $2}' /proc/$pid/smaps_rollup)
      echo "proc $unit $main $pid $ppid ${rss:-0} ${pss:-0}"
    done
    break
  done
done
"""


def measure(host, url, units, args):
    """Warm up, then one bounded load run: rate, p99, failed, CPU µs/request, memory."""
    wrk_args = "-t%d -c%d" % (args.threads, args.connections)
    host.run("wrk %s -d%ds %s >/dev/null" % (wrk_args, args.warmup, url))
    output = host.run(
        "UNITS='%s' WRK='%s -d%ds --latency' URL='%s' sh -c '%s'"
        % (" ".join(units), wrk_args, args.duration, url, MEASURE.replace("'", "'\\''")))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    served = re.search(r"^\s+(\d+) requests in", output, re.M)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if not (rate and served and p99):
        sys.exit("wrk gave no figures against %s:\n%s" % (url, output))
    failed = 0
    non_2xx = re.search(r"^\s+Non-2xx or 3xx responses: (\d+)", output, re.M)
    socket_errors = re.search(r"^\s+Socket errors: (.*)$", output, re.M)
    if non_2xx:
        failed += int(non_2xx.group(1))
    if socket_errors:
        failed += sum(int(number) for number in re.findall(r"\d+", socket_errors.group(1)))
    before, after = output.split("\nafter\n", 1)
    counters = [{unit: int(usec) for unit, usec in re.findall(r"^cpu (\S+) (\d+)$", part, re.M)}
                for part in (before, after)]
    if sorted(counters[0]) != sorted(units) or sorted(counters[1]) != sorted(units):
        sys.exit("no CPU counters for some of %s:\n%s" % (units, output))
    cpu_usec = {unit: counters[1][unit] - counters[0][unit] for unit in units}
    nginx_usec = sum(usec for unit, usec in cpu_usec.items() if "nginx" in unit)
    procs = [line.split()[1:] for line in output.splitlines() if line.startswith("proc ")]
    return {"rate": float(rate.group(1)), "p99": float(p99.group(1)) * LATENCY_UNITS[p99.group(2)],
            "failed": failed, "cpu": sum(cpu_usec.values()) / int(served.group(1)),
            "nginx_cpu": nginx_usec / int(served.group(1)), "memory": memory(procs)}


def memory(procs):
    """MiB: the app server's master and mean worker (RSS, PSS), and PSS of every process."""
    mib = 1024.0
    # Rows: unit, the unit's main PID, PID, parent PID, RSS kB, PSS kB.
    app = [row for row in procs if "nginx" not in row[0]]
    masters = [row for row in app if row[2] == row[1]]
    workers = [row for row in app if row[3] == row[1] and row[2] != row[1]]
    if not workers:  # one process serving alone (bare uvicorn) is a worker without a master
        masters, workers = [], masters
    mean = lambda rows, column: statistics.mean(int(row[column]) for row in rows) / mib if rows else None
    return {"master": (mean(masters, 4), mean(masters, 5)), "worker": (mean(workers, 4), mean(workers, 5)),
            "worker_rss_max": max(int(row[4]) for row in workers) / mib if workers else None,
            "workers": len(workers), "total_pss": sum(int(row[5]) for row in procs) / mib}


def pause_while(path):
    """Wait while another test suite on the machine holds its lock file."""
    if not path:
        return
    announced = False
    while os.path.exists(path):
        if not announced:
            print("paused: %s exists (polling every %d s)" % (path, PAUSE_POLL), file=sys.stderr)
            announced = True
        time.sleep(PAUSE_POLL)


def fmt(values, digits=0):
    middle = statistics.median(values)
    return "%.*f (%.*f–%.*f)" % (digits, middle, digits, min(values), digits, max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host", help="container name of the deployed test host")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured load run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each measured run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="runs per setup, interleaved")
    parser.add_argument("--only", default="", help="comma-separated setup keys (see --list)")
    parser.add_argument("--list", action="store_true", help="list the setup keys and exit")
    parser.add_argument("--pause-while", default="", help="before every load run, wait while this file exists")
    args = parser.parse_args()
    host = Host(args.host)

    sizing = module_choice(host)
    chosen, cpus = sizing["workers"], sizing["cpus"]
    slot = LiveSlot(host)
    stack = Stack(host, chosen, slot)
    counts = range(1, 2 * int(-(-cpus // 1)) + 2)

    setups = {"stack": ("deployed stack, as the roles generate it (%d workers)" % chosen, dict())}
    for extra in DEFAULT_EXTRAS:
        setups["no-" + extra.replace("_", "-")] = ("stack without %s" % extra.replace("_", " "), dict(off=(extra,)))
    setups["no-extras"] = ("stack without any of: " + ", ".join(DEFAULT_EXTRAS).replace("_", " "),
                           dict(off=DEFAULT_EXTRAS))
    setups["buffered-log"] = ("stack with the access log buffered (nginx_access_log_buffer: 64k)",
                              dict(log_buffer="64k"))
    setups["combined-log"] = ("stack with the access log in the combined format (nginx_access_log_format: combined)",
                              dict(log_format="asgi_combined"))
    for part in BASE_PARTS:
        setups["no-" + part.replace("_", "-")] = ("stack without %s" % part.replace("_", " "), dict(off=(part,)))
    for count in counts:
        if count != chosen:
            setups["workers-%d" % count] = ("stack with %d workers" % count, dict(workers=count))
    peer_keys = ["tuned", "tuned-nginx", "tuned-granian", "gunicorn-tcp", "granian-tcp", "uvicorn"]
    for key, peer in zip(peer_keys, peers(host, chosen, slot)):
        setups[key] = (peer.name, peer)
    if args.list:
        for key, (label, _) in setups.items():
            print("%-14s %s" % (key, label))
        return
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - set(setups)
        if unknown:
            sys.exit("unknown setups: %s (see --list)" % ", ".join(sorted(unknown)))
        setups = {key: value for key, value in setups.items() if key in wanted}

    results = {key: [] for key in setups}
    loads = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        run_rounds(host, stack, setups, results, loads, args)
    except KeyboardInterrupt:
        # An interrupted run still reports what it measured, and says so.
        print("interrupted: the table has the rounds done so far")
    finally:
        stack.restore()
    report(args, sizing, setups, results, loads, started, counts)


def run_rounds(host, stack, setups, results, loads, args):
    for round_number in range(1, args.rounds + 1):
        order = list(setups)
        random.Random(round_number).shuffle(order)
        for key in order:
            label, what = setups[key]
            pause_while(args.pause_while)
            try:
                if isinstance(what, Peer):
                    stack.apply()
                    units, url = what.up(host) + ([stack.service()] if what.stack_app else []), what.url
                else:
                    units, url = stack.apply(**what), STACK_URL
                results[key].append(measure(host, url, units, args))
            finally:
                if isinstance(what, Peer):
                    what.down(host)
            loads.append(os.getloadavg()[0])
            run = results[key][-1]
            print("round %d: %-14s %6.0f req/s %6.1f µs CPU/request" % (round_number, key, run["rate"], run["cpu"]),
                  file=sys.stderr)


def report(args, sizing, setups, results, loads, started, counts):
    median = lambda key, field: statistics.median(run[field] for run in results[key]) if results.get(key) else None
    chosen = sizing["workers"]
    print("host %s, %s: %s usable CPUs; wrk -t%d -c%d -d%ds --latency after a %d s warm-up; %d rounds, interleaved;"
          % (args.host, started, sizing["cpus"], args.threads, args.connections, args.duration, args.warmup,
             args.rounds))
    if loads:
        print("load average (1 min) after each run: median %.2f, min %.2f, max %.2f"
              % (statistics.median(loads), min(loads), max(loads)))
    print()
    print("| setup | req/s median (min–max) | server CPU µs/request median (min–max) | of it nginx / app server "
          "| p99 ms | failed | master RSS / PSS MiB | worker RSS / PSS MiB | all processes PSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    pair = lambda values: "%.1f / %.1f" % values if values[0] is not None else "–"
    for key, (label, _) in setups.items():
        runs = results[key]
        if not runs:
            continue
        last = runs[-1]["memory"]
        split = "%.1f / %.1f" % (median(key, "nginx_cpu"), median(key, "cpu") - median(key, "nginx_cpu"))
        print("| %s | %s | %s | %s | %.1f | %d | %s | %s | %.0f |" % (
            label, fmt([run["rate"] for run in runs]), fmt([run["cpu"] for run in runs], 1), split, median(key, "p99"),
            sum(run["failed"] for run in runs), pair(last["master"]), pair(last["worker"]), last["total_pss"]))
    print()

    def check(name, value, op, target, detail):
        if value is None:
            print("%s: not measured in this run" % name)
            return
        met = value <= target if op == "<=" else value >= target
        print("%s: %.3f (target %s %s) %s — %s" % (name, value, op, target, "MET" if met else "NOT MET", detail))

    ratio = lambda a, b: a / b if a is not None and b else None
    print("module: %s" % sizing["reason"])
    check("parity, CPU/request stack / hand-tuned", ratio(median("stack", "cpu"), median("tuned", "cpu")), "<=", 1.05,
          "medians")
    check("parity, req/s stack / hand-tuned", ratio(median("stack", "rate"), median("tuned", "rate")), ">=", 0.95,
          "medians")
    rates = {count: median("stack" if count == chosen else "workers-%d" % count, "rate") for count in counts}
    rates = {count: rate for count, rate in rates.items() if rate is not None}
    if len(rates) > 1:
        best = max(rates, key=rates.get)
        check("worker module, req/s chosen (%d) / median-best count (%d)" % (chosen, best),
              ratio(rates[chosen], rates[best]), ">=", 0.95, "medians per count")
    for key in ["no-" + extra.replace("_", "-") for extra in DEFAULT_EXTRAS] + ["no-extras"]:
        cost = ratio(median("stack", "cpu"), median(key, "cpu"))
        if cost is None:
            continue
        what = "all default-on extras together" if key == "no-extras" else key.replace("no-", "", 1)
        line = "%s: %+.1f%% CPU/request with it (%.1f against %.1f µs), req/s %+.1f%% without it" % (
            what, 100 * (cost - 1), median("stack", "cpu"), median(key, "cpu"),
            100 * (ratio(median(key, "rate"), median("stack", "rate")) - 1))
        if key == "no-extras":
            check("overheads, CPU/request stack / stack without extras", cost, "<=", 1.10, line)
        else:
            print("cost of " + line)
    for key, what in (("buffered-log", "access log buffered (64k, flush 1s) instead of line by line"),
                      ("combined-log", "access log in the combined format instead of the stack's")):
        cost = ratio(median(key, "cpu"), median("stack", "cpu"))
        if cost is not None:
            print("%s: %+.1f%% CPU/request, req/s %+.1f%%" % (
                what, 100 * (cost - 1), 100 * (ratio(median(key, "rate"), median("stack", "rate")) - 1)))
    check("moonshot, req/s stack (HTTPS) / bare uvicorn (HTTP, 1 process)",
          ratio(median("stack", "rate"), median("uvicorn", "rate")), ">=", 1.6, "medians")
    for mine, theirs, what in (("tuned-granian", "tuned", "behind the hand-tuned nginx"),
                               ("granian-tcp", "gunicorn-tcp", "alone over TCP")):
        speed = ratio(median(mine, "rate"), median(theirs, "rate"))
        efficiency = ratio(median(theirs, "cpu"), median(mine, "cpu"))
        if speed is not None:
            print("granian / gunicorn %s: req/s %.3f, requests per CPU second %.3f (an optional granian server "
                  "needs > 1.2 at equal CPU)" % (what, speed, efficiency))
    workers = [results[key][-1]["memory"]["worker_rss_max"] for key in results
               if key == "stack" or key.startswith("workers-") or key.startswith("no-")]
    workers = [value for value in workers if value]
    if workers:
        print("largest gunicorn worker RSS after load: %.1f MiB (gunicorn_worker_memory_mb default: 64)" % max(workers))
    # The runs of one round are minutes apart, those of the first and last round up to half
    # an hour or more: a machine whose speed drifts moves every setup of a round together,
    # which a ratio of the same round's runs cancels.
    print("per round, CPU/request of the stack against another setup of the same round:")
    for other, what in [("tuned", "hand-tuned"), ("tuned-nginx", "hand-tuned nginx -> the deployed gunicorn"),
                        ("no-extras", "stack without extras"),
                        ("combined-log", "stack with the combined access log"),
                        ("buffered-log", "stack with the access log buffered")] + [
            ("no-" + part.replace("_", "-"), "stack without " + part.replace("_", " "))
            for part in DEFAULT_EXTRAS + BASE_PARTS]:
        ratios = [mine["cpu"] / theirs["cpu"] for mine, theirs in zip(results.get("stack", []), results.get(other, []))
                  if theirs["cpu"]]
        if ratios:
            print("  stack / %s: median %.3f (min %.3f, max %.3f), above 1 in %d of %d rounds"
                  % (what, statistics.median(ratios), min(ratios), max(ratios), sum(value > 1 for value in ratios),
                     len(ratios)))
    # Which side of the proxy a difference to the hand-tuned setup is on.
    for part, cpu in (("nginx", lambda run: run["nginx_cpu"]), ("app server", lambda run: run["cpu"] - run["nginx_cpu"])):
        ratios = [cpu(mine) / cpu(theirs) for mine, theirs in zip(results.get("stack", []), results.get("tuned", []))
                  if cpu(theirs)]
        if ratios:
            print("  stack / hand-tuned, %s's CPU only: median %.3f (min %.3f, max %.3f)"
                  % (part, statistics.median(ratios), min(ratios), max(ratios)))
    print("rounds (req/s): " + "; ".join("%s %s" % (key, "/".join("%.0f" % run["rate"] for run in runs))
                                        for key, runs in results.items()))
    print("rounds (CPU µs/request): " + "; ".join("%s %s" % (key, "/".join("%.1f" % run["cpu"] for run in runs))
                                                 for key, runs in results.items()))


if __name__ == "__main__":
    main()
