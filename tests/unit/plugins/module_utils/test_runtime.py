# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi_deploy_runtime (roles/gunicorn/files), what runs inside each app's gunicorn: the
request middleware counts requests by status class, leaves probes out, serves the slot's
metrics, and the hooks keep prometheus_client's multiprocess files right. Each case runs
in a fresh interpreter: prometheus_client picks its multiprocess mode when imported."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import textwrap

import pytest

RUNTIME_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..",
                                           "roles", "gunicorn", "files"))

SCRIPT = textwrap.dedent("""
    import asyncio, json, os, sys, types
    import asgi_deploy_runtime as runtime

    async def app(scope, receive, send):
        status = int(scope["path"].strip("/") or 200)
        if status == 599:
            raise RuntimeError("no answer")
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def call(instrumented, path, headers=()):
        sent = []
        async def send(message):
            sent.append(message)
        async def receive():
            return {"type": "http.request"}
        scope = {"type": "http", "path": path, "headers": list(headers)}
        try:
            await instrumented(scope, receive, send)
        except RuntimeError:
            pass
        return sent

    on_starting, post_worker_init, worker_exit, child_exit = runtime.hooks(interface="asgi", instrument=True)
    stale = os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "counter_1.db")
    open(stale, "w").close()
    on_starting(None)
    worker = types.SimpleNamespace(wsgi=app, pid=os.getpid())
    post_worker_init(worker)
    for path in ["/", "/", "/204", "/404", "/503", "/599"]:
        asyncio.run(call(worker.wsgi, path, [(b"x-request-id", b"r1")]))
    asyncio.run(call(worker.wsgi, "/", [(b"x-asgi-deploy-probe", b"health")]))
    answer = asyncio.run(call(worker.wsgi, runtime.METRICS_PATH))
    child_exit(None, worker)
    json.dump({"stale_left": os.path.exists(stale),
               "metrics": answer[1]["body"].decode(),
               "files": sorted(os.listdir(os.environ["PROMETHEUS_MULTIPROC_DIR"]))}, sys.stdout)
""")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    pytest.importorskip("prometheus_client")
    root = tmp_path_factory.mktemp("slot")
    os.makedirs(str(root / "releases" / "r-1"))
    os.makedirs(str(root / "slots"))
    os.symlink("../releases/r-1", str(root / "slots" / "a"))
    metrics_dir = root / "metrics"
    metrics_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=RUNTIME_DIR, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
               ASGI_APP="shop", ASGI_SLOT="a", ASGI_SLOT_LINK=str(root / "slots" / "a"))
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def sample(metrics, name, **labels):
    wanted = dict(labels, app="shop", release="r-1")
    for line in metrics.splitlines():
        if line.startswith(name + "{"):
            found = dict(part.split("=", 1) for part in line[len(name) + 1:line.index("}")].split(","))
            if dict((key, value.strip('"')) for key, value in found.items()) == wanted:
                return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.parametrize("status, count", [("2xx", 3), ("4xx", 1), ("5xx", 1), ("unknown", 1)])
def test_requests_are_counted_by_status_class_without_probes(run, status, count):
    assert sample(run["metrics"], "asgi_http_requests_total", status=status) == count


def test_latency_histogram_counts_every_request(run):
    assert sample(run["metrics"], "asgi_http_request_duration_seconds_count") == 6
    assert sample(run["metrics"], "asgi_http_request_duration_seconds_bucket", le="+Inf") == 6


def test_the_worker_is_alive_until_it_exits(run):
    assert sample(run["metrics"], "asgi_workers_alive") == 1
    # child_exit removed the dead worker's live gauge file (mark_process_dead).
    assert not [name for name in run["files"] if name.startswith("gauge_livesum")]
    assert [name for name in run["files"] if name.startswith("counter_")]


def test_a_start_wipes_what_an_earlier_run_left(run):
    assert run["stale_left"] is False


@pytest.mark.parametrize("status, expected", [
    (200, "2xx"), (204, "2xx"), (301, "3xx"), (404, "4xx"),
    (503, "5xx"), (None, "unknown"), (99, "unknown"), (600, "unknown"),
])
def test_status_class(status, expected):
    sys.path.insert(0, RUNTIME_DIR)
    try:
        import asgi_deploy_runtime
        assert asgi_deploy_runtime.status_class(status) == expected
    finally:
        sys.path.remove(RUNTIME_DIR)


@pytest.mark.parametrize("headers, expected", [
    ([], (None, False)),
    ([(b"host", b"shop"), (b"x-request-id", b"4c1c0f")], ("4c1c0f", False)),
    ([(b"x-asgi-deploy-probe", b"gate")], (None, True)),
    ([(b"x-asgi-deploy-probe", b"health"), (b"x-request-id", b"r2")], ("r2", True)),
    # Header names arrive lower-cased (ASGI); a value that is not ASCII stays readable.
    ([(b"X-Request-ID", b"r3")], (None, False)),
    ([(b"x-request-id", b"r\xe94")], (u"r\xe94", False)),
])
def test_request_id_and_probe(headers, expected):
    sys.path.insert(0, RUNTIME_DIR)
    try:
        import asgi_deploy_runtime
        assert asgi_deploy_runtime.request_id_and_probe(headers) == expected
    finally:
        sys.path.remove(RUNTIME_DIR)


# A worker's tally reaches its files three ways (a flush every FLUSH_SECONDS, its exit, a
# scrape), and the flushed histogram is what prometheus_client's own observe() makes of
# the same durations: on a bucket's bound, between two, above the last.
TALLY_SCRIPT = textwrap.dedent("""
    import json, os, sys, time, types
    import prometheus_client
    from prometheus_client import multiprocess
    import asgi_deploy_runtime as runtime

    def files():
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        found = {}
        for family in registry.collect():
            for sample in family.samples:
                if sample.labels.get("release") in ("r-1", None):
                    labels = {key: value for key, value in sample.labels.items() if key in ("le", "status")}
                    found[sample.name + json.dumps(labels, sort_keys=True)] = sample.value
        return found

    durations = [0.0001, 0.005, 0.0051, 0.3, 30.0, 31.0]
    on_starting, post_worker_init, worker_exit, child_exit = runtime.hooks(interface="asgi", instrument=True)
    on_starting(None)
    metrics = runtime._STATE["metrics"]
    post_worker_init(types.SimpleNamespace(wsgi=None, pid=os.getpid()))
    metrics.observe(200, 0.001)
    seen = {"now": files()}
    time.sleep(runtime.FLUSH_SECONDS * 2.5)
    seen["later"] = files()
    for seconds in durations:
        metrics.observe(503, seconds)
    worker_exit(None, None)
    seen["exited"] = files()
    reference = prometheus_client.Histogram("reference_seconds", "", buckets=runtime.LATENCY_BUCKETS)
    for seconds in durations:
        reference.observe(seconds)
    seen["reference"] = files()
    json.dump(seen, sys.stdout)
""")


@pytest.fixture(scope="module")
def tally(tmp_path_factory):
    pytest.importorskip("prometheus_client")
    root = tmp_path_factory.mktemp("tally")
    os.makedirs(str(root / "releases" / "r-1"))
    os.symlink(str(root / "releases" / "r-1"), str(root / "slot"))
    (root / "metrics").mkdir()
    env = dict(os.environ, PYTHONPATH=RUNTIME_DIR, PROMETHEUS_MULTIPROC_DIR=str(root / "metrics"),
               ASGI_APP="shop", ASGI_SLOT="a", ASGI_SLOT_LINK=str(root / "slot"))
    done = subprocess.run([sys.executable, "-c", TALLY_SCRIPT], env=env, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


LATENCY_BOUNDS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0", "+Inf")


def count(seen, status):
    return seen.get('asgi_http_requests_total{"status": "%s"}' % status)


def test_a_request_waits_in_the_workers_tally_until_a_flush(tally):
    assert count(tally["now"], "2xx") is None
    assert count(tally["later"], "2xx") == 1


def test_a_worker_that_exits_flushes_what_it_counted(tally):
    assert count(tally["exited"], "5xx") == 6
    assert count(tally["exited"], "2xx") == 1


def test_the_flushed_histogram_is_what_prometheus_clients_observe_makes(tally):
    seen = tally["reference"]
    flushed = dict((name.replace("asgi_http_request_duration_seconds", "", 1), value) for name, value in seen.items()
                   if name.startswith("asgi_http_request_duration_seconds"))
    reference = dict((name.replace("reference_seconds", "", 1), value) for name, value in seen.items()
                     if name.startswith("reference_seconds"))
    # Minus the 2xx request of 1 ms, counted before the others (in every bucket: they
    # are cumulative).
    for name in flushed:
        if name.startswith("_bucket") or name == "_count{}":
            flushed[name] -= 1
    flushed["_sum{}"] -= 0.001
    assert sorted(flushed) == sorted(reference) and len(reference) == len(LATENCY_BOUNDS) + 2
    for name, value in reference.items():
        assert flushed[name] == pytest.approx(value), name


STDERR_SCRIPT = textwrap.dedent("""
    import json, logging, sys
    import asgi_deploy_runtime as runtime

    class Collect(logging.Handler):
        records = []
        def emit(self, record):
            try:
                if record.getMessage() == "unwritable":
                    raise ValueError("this handler cannot write it")
                self.records.append([record.name, record.levelname, record.getMessage()])
            except ValueError:
                self.handleError(record)

    logging.getLogger().addHandler(Collect())
    on_starting = runtime.hooks()[0]
    on_starting(None)
    on_starting(None)  # a second start keeps the one capture
    print("worker did not boot", file=sys.stderr)
    sys.stderr.write("partial ")
    sys.stderr.write("line\\n")
    sys.stderr.write("two\\nlines\\n")
    sys.stderr.write("unflushed")
    sys.stderr.flush()
    # logging's report of a record its handler could not write goes to the real stderr.
    print("unwritable", file=sys.stderr)
    json.dump({"records": Collect.records, "fileno": sys.stderr.fileno(),
               "captured": isinstance(sys.stderr, runtime.StderrLines),
               "wrapped": isinstance(sys.stderr._stream, runtime.StderrLines)}, sys.stdout)
""")


def test_what_is_written_to_stderr_becomes_log_records():
    env = dict(os.environ, PYTHONPATH=RUNTIME_DIR)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    done = subprocess.run([sys.executable, "-c", STDERR_SCRIPT], env=env, capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["records"] == [
        ["stderr", "ERROR", "worker did not boot"],
        ["stderr", "ERROR", "partial line"],
        ["stderr", "ERROR", "two\nlines"],
        ["stderr", "ERROR", "unflushed"],
    ]
    assert result["captured"] and not result["wrapped"] and result["fileno"] == 2
    assert "--- Logging error ---" in done.stderr and "this handler cannot write it" in done.stderr
