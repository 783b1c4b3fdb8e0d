# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What asgi.deploy runs inside each app's gunicorn, beside the app and without touching
its code: the context every log line carries (app, release, slot, request id), the JSON
formatter and stderr's lines as log records, request metrics per app and release, and
prometheus_client's multiprocess bookkeeping. Run as a program (`python -m
asgi_deploy_runtime relay ...`), it runs a process's or timer's command and writes the
lines it prints as records of the slot's log configuration (JSON logs).

gunicorn.conf.py imports it (the unit puts its directory on PYTHONPATH). The slot's
systemd unit sets ASGI_APP, ASGI_SLOT and ASGI_SLOT_LINK; the release is the slot link's
target, read once at start. prometheus_client is imported only when PROMETHEUS_MULTIPROC_DIR
is set and the release's venv has it: without it the app runs with logs and no metrics.
"""

import bisect
import contextvars
import glob
import json
import logging
import logging.config
import os
import re
import runpy
import selectors
import signal
import subprocess
import sys
import threading
import time

# The request id nginx sends (X-Request-ID), for every log line written while the
# request is handled.
REQUEST_ID = contextvars.ContextVar("asgi_deploy_request_id", default=None)
# Requests on this path prefix are the collection's own: nginx's public servers answer
# them 404, only the local metrics server reaches them.
INTERNAL_PREFIX = "/_asgi_deploy/"
METRICS_PATH = INTERNAL_PREFIX + "metrics"
# Health probes (the release gate, the health watch) say so; nginx clears the header
# from clients. They are not counted as requests.
PROBE_HEADER = "x-asgi-deploy-probe"
# The slot's metrics, made once in the master (on_starting): module-level, so a HUP, which
# runs gunicorn.conf.py again, keeps them.
_STATE = {}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# A worker tallies its requests in memory and adds them to its multiprocess files this
# often (and before it answers a scrape or exits): a value in those files costs a lock
# and a pid check per change, which bench/serve measured at several percent of a small
# request's CPU. A worker killed outright loses at most this much of its count.
FLUSH_SECONDS = 1.0


def slot_identity(environ=None):
    """(app, release, slot) of this process from the unit's environment and slot link."""
    environ = os.environ if environ is None else environ
    release = None
    link = environ.get("ASGI_SLOT_LINK")
    if link:
        try:
            release = os.path.basename(os.readlink(link))
        except OSError:
            release = None
    return environ.get("ASGI_APP"), release, environ.get("ASGI_SLOT")


def json_formatter(**options):
    """python-json-logger's formatter of the journal lines in json mode (the options are
    _observe.logconfig's): its orjson one where the release's venv has orjson
    (the server lock), else its stdlib json one, which costs each line about 3
    microseconds more (an encoder made per line, the time encoded through a Python hook)."""
    from pythonjsonlogger.json import JsonFormatter
    try:
        from pythonjsonlogger.orjson import OrjsonFormatter
    except ImportError:
        return JsonFormatter(**options)
    fallback = JsonFormatter(**options)

    class Formatter(OrjsonFormatter):
        def jsonify_log_record(self, log_data):
            try:
                return OrjsonFormatter.jsonify_log_record(self, log_data)
            except TypeError:
                # What orjson refuses and the stdlib encodes (a lone surrogate in a text,
                # an integer above 64 bits) still makes its line.
                return fallback.jsonify_log_record(log_data)

    return Formatter(**options)


class ContextFilter(logging.Filter):
    """Adds app, release, slot and request_id to every record a handler writes."""

    def __init__(self, name=""):
        super().__init__(name)
        self.app, self.release, self.slot = slot_identity()
        # Python's warnings become log lines (JSON ones in json mode), not bare stderr.
        logging.captureWarnings(True)

    def filter(self, record):
        record.app = self.app
        record.release = self.release
        record.slot = self.slot
        record.request_id = REQUEST_ID.get()
        return True


class StderrLines(object):
    """sys.stderr of an app's gunicorn (the master's, which its workers inherit): what code
    writes there itself instead of logging (gunicorn prints why a worker did not boot, a
    library its warnings) becomes a record of the logger "stderr", one per write that ends
    a line, so the journal has it in the app's log format too. The log handler writes to
    sys.__stderr__, never here."""

    def __init__(self, stream, logger):
        self._stream = stream
        self._logger = logger
        self._pending = ""
        self._lock = threading.Lock()
        self._inside = threading.local()

    def write(self, text):
        if getattr(self._inside, "emitting", False):
            # logging's own report of a record it could not write: as it is.
            return self._stream.write(text)
        with self._lock:
            self._pending += text
            done = self._pending.endswith("\n")
        if done:
            self.flush()
        return len(text)

    def flush(self):
        with self._lock:
            lines, self._pending = self._pending.rstrip("\n"), ""
        if lines:
            self._inside.emitting = True
            try:
                self._logger.error("%s", lines)
            finally:
                self._inside.emitting = False
        self._stream.flush()

    def __getattr__(self, name):
        # fileno, encoding, isatty...: the real stream's.
        return getattr(self._stream, name)


def capture_stderr():
    if not isinstance(sys.stderr, StderrLines):
        sys.stderr = StderrLines(sys.__stderr__, logging.getLogger("stderr"))


def status_class(status):
    """'2xx' for 204; 'unknown' when no answer started (the app raised first)."""
    if isinstance(status, int) and 100 <= status <= 599:
        return "%dxx" % (status // 100)
    return "unknown"


def _text_header(value):
    return value.decode("latin-1") if isinstance(value, bytes) else value


_REQUEST_ID_HEADER = b"x-request-id"
_PROBE_HEADER = PROBE_HEADER.encode()


def request_id_and_probe(headers):
    """(X-Request-ID, whether the request is a probe) of ASGI headers (byte pairs), in one
    pass: this runs for every request."""
    request_id, probe = None, False
    for name, value in headers:
        if name == _REQUEST_ID_HEADER:
            request_id = _text_header(value)
        elif name == _PROBE_HEADER:
            probe = True
    return request_id, probe


class Metrics(object):
    """The request and worker metrics of one slot, in prometheus_client's multiprocess
    files (PROMETHEUS_MULTIPROC_DIR: one directory per slot, emptied at start)."""

    def __init__(self, app, release, prometheus_client):
        self.client = prometheus_client
        self.labels = {"app": app or "", "release": release or ""}
        names = sorted(self.labels)
        self.requests = prometheus_client.Counter(
            "asgi_http_requests", "Requests the app answered, by status class.", names + ["status"])
        self.latency = prometheus_client.Histogram(
            "asgi_http_request_duration_seconds", "Seconds from a request's start to the end of its answer.",
            names, buckets=LATENCY_BUCKETS)
        # livesum: the files of a dead worker are dropped by child_exit (mark_process_dead).
        self.workers = prometheus_client.Gauge(
            "asgi_workers_alive", "gunicorn workers running.", names, multiprocess_mode="livesum")
        self.exits = prometheus_client.Counter(
            "asgi_worker_exits", "gunicorn workers that exited (crashed, timed out or recycled).", names)

        # The children of this process's series, made in the worker (start_worker, then
        # on a status class's first flush): labels() checks and locks on every call.
        self._requests_by_class = {}
        self._latency = None
        # Counted since the last flush: requests by status, latency bucket counts (the
        # last bucket is +Inf) and their seconds. observe runs in the request's thread,
        # flush in the worker's flushing thread; a flush holds the lock until the counts
        # are in the files, so a scrape's flush waits for one already running.
        self._lock = threading.Lock()
        self._statuses = {}
        self._bucket_counts = [0] * (len(LATENCY_BUCKETS) + 1)
        self._seconds = 0.0
        self._stopped = threading.Event()

    def start_worker(self):
        """In a worker that starts: it is alive, its latency series is ready, and its
        tally is flushed every FLUSH_SECONDS."""
        self.workers.labels(**self.labels).set(1)
        self._latency = self.latency.labels(**self.labels)
        threading.Thread(target=self._flush_until_stopped, name="asgi-deploy-metrics", daemon=True).start()

    def stop_worker(self):
        """In a worker that exits: what it counted goes into its files."""
        self._stopped.set()
        self.flush()

    def _flush_until_stopped(self):
        while not self._stopped.wait(FLUSH_SECONDS):
            self.flush()

    def observe(self, status, seconds):
        with self._lock:
            self._statuses[status] = self._statuses.get(status, 0) + 1
            # The first bucket whose bound is >= seconds, as prometheus_client's observe.
            self._bucket_counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
            self._seconds += seconds

    def flush(self):
        """Add the tally to the worker's series in its multiprocess files."""
        with self._lock:
            if self._statuses:
                self._add(self._statuses, self._bucket_counts, self._seconds)
                self._statuses, self._bucket_counts, self._seconds = {}, [0] * len(self._bucket_counts), 0.0

    def _add(self, statuses, bucket_counts, seconds):
        by_class = {}
        for status, count in statuses.items():
            by_class[status_class(status)] = by_class.get(status_class(status), 0) + count
        for name, count in by_class.items():
            requests = self._requests_by_class.get(name)
            if requests is None:
                requests = self._requests_by_class[name] = self.requests.labels(status=name, **self.labels)
            requests.inc(count)
        # prometheus_client's Histogram has no call that adds many observations at once:
        # its bucket and sum values, what its observe() adds to (test_runtime checks both
        # give the same exposition).
        for index, count in enumerate(bucket_counts):
            if count:
                self._latency._buckets[index].inc(count)
        self._latency._sum.inc(seconds)

    def exposition(self):
        """The slot's metrics, every live and dead worker's files merged (this worker's
        tally flushed first)."""
        self.flush()
        registry = self.client.CollectorRegistry()
        self.client.multiprocess.MultiProcessCollector(registry)
        return self.client.generate_latest(registry), self.client.CONTENT_TYPE_LATEST


def load_metrics(environ=None):
    """The slot's Metrics, or None without a metrics directory or prometheus_client."""
    environ = os.environ if environ is None else environ
    if not environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    try:
        import prometheus_client
        import prometheus_client.multiprocess  # noqa: F401  (MultiProcessCollector)
    except ImportError:
        logging.getLogger("asgi_deploy").warning(
            "prometheus_client is not in the release's venv: the app runs without metrics")
        return None
    app, release = slot_identity(environ)[:2]
    return Metrics(app, release, prometheus_client)


def asgi_middleware(app, metrics, count=True):
    """The ASGI app with the request id in its log context, the slot's metrics on
    METRICS_PATH and, with count, each request counted."""
    counting = count and metrics is not None

    async def instrumented(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        headers = scope.get("headers") or []
        if metrics is not None and scope.get("path") == METRICS_PATH:
            body, content_type = metrics.exposition()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", content_type.encode("latin-1"))]})
            await send({"type": "http.response.body", "body": body})
            return None
        request_id, probe = request_id_and_probe(headers)
        token = REQUEST_ID.set(request_id)
        if not counting or probe:
            try:
                return await app(scope, receive, send)
            finally:
                REQUEST_ID.reset(token)
        started = time.monotonic()
        status = None

        async def sending(message):
            nonlocal status
            if status is None and message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            return await app(scope, receive, sending)
        finally:
            metrics.observe(status, time.monotonic() - started)
            REQUEST_ID.reset(token)

    return instrumented


def wsgi_middleware(app, metrics, count=True):
    """The WSGI app with the request id in its log context, the slot's metrics on
    METRICS_PATH and, with count, each request counted (until the app returns its body)."""

    def instrumented(environ, start_response):
        if metrics is not None and environ.get("PATH_INFO") == METRICS_PATH:
            body, content_type = metrics.exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        token = REQUEST_ID.set(environ.get("HTTP_X_REQUEST_ID"))
        counted = count and metrics is not None and "HTTP_X_ASGI_DEPLOY_PROBE" not in environ
        started = time.monotonic()
        status = []

        def starting(line, headers, exc_info=None):
            status[:] = [int(line.split(None, 1)[0])]
            return start_response(line, headers, exc_info)

        try:
            return app(environ, starting)
        finally:
            if counted:
                metrics.observe(status[0] if status else None, time.monotonic() - started)
            REQUEST_ID.reset(token)

    return instrumented


def clear_metrics_dir(path):
    """Drop every file an earlier run of the slot left (a crashed master's too)."""
    for name in glob.glob(os.path.join(path, "*.db")):
        os.unlink(name)


def hooks(interface="asgi", instrument=True):
    """gunicorn's server hooks: on_starting (stderr into the log, the metrics directory
    emptied), post_worker_init, worker_exit (the worker's last tally flushed), child_exit.

    interface: "asgi" or "wsgi", how the worker class calls the app. instrument: count
    the app's requests; off, the metrics endpoint and the multiprocess bookkeeping stay,
    for an app with its own prometheus_client metrics.
    """
    state = _STATE

    def on_starting(server):
        capture_stderr()
        path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if path and os.path.isdir(path):
            clear_metrics_dir(path)
        state["metrics"] = load_metrics()

    def post_worker_init(worker):
        metrics = state.get("metrics")
        if metrics is not None:
            metrics.start_worker()
        middleware = asgi_middleware if interface == "asgi" else wsgi_middleware
        # Without metrics the middleware still puts the request id into the log context.
        worker.wsgi = middleware(worker.wsgi, metrics, count=instrument)

    def worker_exit(server, worker):
        metrics = state.get("metrics")
        if metrics is not None:
            metrics.stop_worker()

    def child_exit(server, worker):
        metrics = state.get("metrics")
        if metrics is None:
            return
        metrics.client.multiprocess.mark_process_dead(worker.pid)
        metrics.exits.labels(**metrics.labels).inc()

    return on_starting, post_worker_init, worker_exit, child_exit


# A level a line names at its start, after an optional time stamp: "WARNING:root:...",
# "[ERROR] ...", "12:00:01 INFO ...", "2026-12-01 12:00:01,123 - CRITICAL - ...".
_LINE_LEVEL = re.compile(r"^\s*(?:[\[(]?[\d+][\d:.,T+-]*[\])]?:?\s*(?:-\s*)?){0,4}[\[(]?"
                         r"(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)\b")
_LEVELS = {"WARN": "WARNING", "FATAL": "CRITICAL"}
TRACEBACK_START = "Traceback (most recent call last):"


def line_level(line):
    """The level a printed line names at its start, or None."""
    found = _LINE_LEVEL.match(line)
    if not found:
        return None
    return _LEVELS.get(found.group(1), found.group(1))


class LineRelay(object):
    """The lines a command prints, as records: (logger, level, message) for emit, or a
    dict for emit_json when the line is a JSON object of the command's own (its own JSON
    logging; it keeps its fields). The logger is the stream ("stdout", "stderr"); the level
    the one a line names, else INFO (as journald takes both streams); a Python traceback on
    stderr, from its first line to the exception's, is one ERROR record."""

    def __init__(self, emit, emit_json):
        self._emit, self._emit_json = emit, emit_json
        self._partial = {"stdout": b"", "stderr": b""}
        self._traceback = []

    def feed(self, stream, data):
        lines = (self._partial[stream] + data).split(b"\n")
        self._partial[stream] = lines.pop()
        for line in lines:
            self._line(stream, line.decode("utf-8", "replace").rstrip("\r"))

    def close(self):
        for stream, rest in self._partial.items():
            if rest:
                self._line(stream, rest.decode("utf-8", "replace"))
            self._partial[stream] = b""
        if self._traceback:
            self._emit("stderr", "ERROR", "\n".join(self._traceback))
            self._traceback = []

    def _line(self, stream, line):
        if stream == "stderr" and (self._traceback or line == TRACEBACK_START):
            self._traceback.append(line)
            # The exception's line is the first one after the header that is not indented.
            if len(self._traceback) > 1 and line and not line[0].isspace():
                self._emit("stderr", "ERROR", "\n".join(self._traceback))
                self._traceback = []
            return
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict):
                self._emit_json(record)
                return
        self._emit(stream, line_level(line) or "INFO", line)


def _log_config(gunicorn_conf):
    """The slot's log configuration: logconfig_dict of its gunicorn.conf.py, so a process
    logs in the same format, with the same fields, as the web slot."""
    return runpy.run_path(gunicorn_conf)["logconfig_dict"]


def _outlive_signals():
    """systemd signals every process of the unit; the relay stays until the command has
    exited, so its last lines (a job finishing after TERM) are written too. A Python
    handler (not SIG_IGN) is reset in the command by exec."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: None)


def relay(gunicorn_conf, argv):
    """Run argv and write what it prints through the log configuration of gunicorn_conf;
    return its exit status (a negative one for a signal, as subprocess gives it)."""
    logging.config.dictConfig(_log_config(gunicorn_conf))
    context = ContextFilter()
    journal = sys.__stderr__

    def emit(stream, level, message):
        logging.getLogger(stream).log(logging.getLevelName(level), "%s", message)

    def emit_json(record):
        for field in ("app", "release", "slot"):
            record.setdefault(field, getattr(context, field))
        journal.write(json.dumps(record) + "\n")
        journal.flush()

    lines = LineRelay(emit, emit_json)
    _outlive_signals()
    command = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    selector = selectors.DefaultSelector()
    selector.register(command.stdout, selectors.EVENT_READ, "stdout")
    selector.register(command.stderr, selectors.EVENT_READ, "stderr")
    while selector.get_map():
        for key, _events in selector.select():
            data = os.read(key.fileobj.fileno(), 65536)
            if data:
                lines.feed(key.data, data)
            else:
                selector.unregister(key.fileobj)
    lines.close()
    return command.wait()


def main(argv):
    """relay COMMAND [ARG...], with the slot's gunicorn.conf.py in ASGI_GUNICORN_CONF (the
    process's and timer's units set it)."""
    if len(argv) < 2 or argv[0] != "relay" or not os.environ.get("ASGI_GUNICORN_CONF"):
        sys.exit("usage: ASGI_GUNICORN_CONF=gunicorn.conf.py python -m asgi_deploy_runtime relay COMMAND [ARG...]")
    status = relay(os.environ["ASGI_GUNICORN_CONF"], argv[1:])
    if status < 0:
        # Killed by a signal: end the same way, so systemd sees what it sent.
        if -status != signal.SIGKILL:
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
    sys.exit(status)


if __name__ == "__main__":
    main(sys.argv[1:])
