"""A bounded HTTPS load from the machine running the tests to a published 127.0.0.1 port,
counting every failed request: a socket error, any status other than 200, or an answer
that does not prove the request arrived whole. Beside the requests, long-lived
connections (server-sent event streams and WebSockets) stay open across a switch, and
each records how it ended and which release the client reached when it reconnected."""

import collections
import hashlib
import itertools
import json
import os
import ssl
import struct
import tempfile
import threading
import time

import urllib3
import websocket

from asgi_probe import https_pool

# Every method a switch must not fail: nginx retries a GET or PUT that meets a closed
# upstream connection, never a POST.
MIXED = ("GET", "POST", "PUT")
# WebSocket close codes a server that stops on purpose sends: going away, service restart.
CLEAN_CLOSE_CODES = (1001, 1012)
# Requests per second of a test's load, all clients together: one every 5 ms finds any gap
# a switch leaves, while the CPU stays with the deploy it watches (unpaced, 8 clients send
# over 1,000 a second and slow the play, and every other scenario, several times over).
TEST_RATE = 200


class Load:
    """Keep `connections` keep-alive clients busy until stopped or until `max_seconds`
    pass; used as a context manager around a deploy. Each client cycles through
    `methods`: GET `path`, POST /echo and PUT /items/<n> with a body whose digest the app
    must echo back. `rate`: requests per second, all clients together, each client
    keeping its own schedule; None sends each request as soon as the last one answered."""

    def __init__(self, server_name, port, ca_pem, connections=8, path="/", max_seconds=900,
                 methods=("GET",), rate=TEST_RATE):
        self.server_name, self.port, self.ca_pem = server_name, port, ca_pem
        self.connections, self.path, self.max_seconds = connections, path, max_seconds
        self.methods = methods
        self.interval = connections / rate if rate else 0
        self.versions = collections.Counter()
        # When each release first answered, seconds into the load.
        self.first_answer = {}
        self.by_method = collections.Counter()
        self.failures = []
        self.latencies = []
        # When each request began, seconds into the load (parallel to latencies).
        self.begins = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self.started = self.stopped = None

    def _request(self, pool, method, n):
        """(path, body, what a good answer holds besides the version)."""
        if method == "GET":
            return self.path, None, {}
        body = os.urandom(64) + b"%d" % n
        expected = {"sha256": hashlib.sha256(body).hexdigest(), "length": len(body)}
        if method == "POST":
            return "/echo", body, expected
        return "/items/%d" % n, body, dict(expected, name=str(n))

    def _client(self, index):
        pool = https_pool(self.server_name, self.port, self.ca_pem)
        deadline = self.started + self.max_seconds
        # The clients' schedules are staggered, so the requests spread over each interval.
        due = self.started + self.interval * index / self.connections
        for n in itertools.count():
            if self._stop.wait(max(0, due - time.monotonic())) or time.monotonic() >= deadline:
                break
            due += self.interval
            method = self.methods[(index + n) % len(self.methods)]
            path, body, expected = self._request(pool, method, n)
            begin = time.monotonic()
            try:
                response = pool.request(method, path, body=body, headers={"Host": self.server_name},
                                        redirect=False)
                status, answer = response.status, response.data
            except urllib3.exceptions.HTTPError as error:
                status, answer = None, repr(error)
            elapsed = time.monotonic() - begin
            problem = None
            if status != 200:
                problem = answer
            else:
                answer = json.loads(answer)
                wrong = {key: answer.get(key) for key, value in expected.items() if answer.get(key) != value}
                problem = "wrong echo %s" % wrong if wrong else None
            with self._lock:
                self.latencies.append(elapsed)
                self.begins.append(begin - self.started)
                self.by_method[method] += 1
                if problem is None:
                    self.versions[answer["version"]] += 1
                    self.first_answer.setdefault(answer["version"], begin - self.started)
                else:
                    self.failures.append((round(begin - self.started, 3), method, status, str(problem)[:200]))

    def __enter__(self):
        self.started = time.monotonic()
        for index in range(self.connections):
            thread = threading.Thread(target=self._client, args=(index,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        self.stopped = time.monotonic()

    @property
    def requests(self):
        return len(self.latencies)

    def percentile(self, fraction, between=None):
        """The latency below which `fraction` of the requests stayed; with `between`
        (first, last), of the requests that began in that span of the load."""
        ordered = sorted(latency for begin, latency in zip(self.begins, self.latencies)
                         if between is None or between[0] <= begin <= between[1])
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None

    def requests_between(self, first, last):
        return sum(1 for begin in self.begins if first <= begin <= last)

    def summary(self):
        return ("%d requests (%s) in %.1f s, %d failed, versions %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                % (self.requests, ", ".join("%s %d" % item for item in sorted(self.by_method.items())),
                   self.stopped - self.started, len(self.failures), dict(self.versions),
                   1000 * self.percentile(0.5), 1000 * self.percentile(0.99), 1000 * max(self.latencies)))


class Ended(collections.namedtuple("Ended", "kind version end after")):
    """One long-lived connection that the server ended: `kind` "sse" or "websocket", the
    release that served it, how it ended (a WebSocket close code, 1006 when the
    connection went without a close frame; for a stream "clean" when it ended properly
    after the server's shutdown event, "reset" when it was cut, "ended" when it ended
    properly without one) and the release the client reached when it reconnected (None
    when it could not reconnect before the load stopped)."""


class LongLived:
    """Keep `streams` server-sent event streams (GET /events/version) and `websockets`
    WebSockets (/ws/version, echoing a message every half second) open until stopped. A
    connection the server ends is recorded (`ended`) and opened again at once."""

    def __init__(self, server_name, port, ca_pem, streams=2, websockets=2, max_seconds=900):
        self.server_name, self.port, self.ca_pem = server_name, port, ca_pem
        self.max_seconds = max_seconds
        self.kinds = ["sse"] * streams + ["websocket"] * websockets
        self.ended = []
        self.opened = collections.Counter()
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self._ca_file = None
        self.started = None

    def _stopping(self):
        return self._stop.is_set() or time.monotonic() >= self.started + self.max_seconds

    def _stream(self):
        """(version, end) of one event stream; end None when the client stopped it."""
        pool = https_pool(self.server_name, self.port, self.ca_pem)
        response = pool.request("GET", "/events/version", headers={"Host": self.server_name},
                                preload_content=False, redirect=False)
        if response.status != 200:
            raise RuntimeError("event stream answered %d" % response.status)
        version, last_event, buffer = None, None, b""
        try:
            for chunk in response.stream(1024):
                buffer += chunk
                while b"\n\n" in buffer:
                    event, buffer = buffer.split(b"\n\n", 1)
                    fields = dict(line.split(": ", 1) for line in event.decode().splitlines())
                    last_event = fields.get("event", "message")
                    version = version or json.loads(fields["data"])["version"]
                if self._stopping():
                    return version, None
        except (urllib3.exceptions.ProtocolError, urllib3.exceptions.ReadTimeoutError, OSError):
            return version, "reset"
        finally:
            response.release_conn()
        return version, "clean" if last_event == "shutdown" else "ended"

    def _websocket(self):
        """(version, close code) of one WebSocket; code None when the client closed it.
        It reads all the time, so a close frame is seen as it comes, and sends a message
        whenever half a second passed with nothing to read."""
        connection = websocket.create_connection(
            "wss://127.0.0.1:%d/ws/version" % self.port, host=self.server_name, timeout=5,
            sslopt={"ca_certs": self._ca_file, "server_hostname": self.server_name,
                    "cert_reqs": ssl.CERT_REQUIRED})
        try:
            version = json.loads(connection.recv())["version"]
            connection.settimeout(0.5)
            unanswered = collections.deque()
            for n in itertools.count():
                if self._stopping():
                    return version, None
                try:
                    # Frame by frame: the library's own close handling answers a close
                    # frame and loses its code when the server has already gone.
                    frame = connection.recv_frame()
                except websocket.WebSocketTimeoutException:
                    if len(unanswered) > 10:
                        raise RuntimeError("the WebSocket stopped echoing")
                    unanswered.append("message %d" % n)
                    connection.send(unanswered[-1])
                    continue
                if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
                    return version, struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else 1005
                if frame.opcode == websocket.ABNF.OPCODE_PING:
                    connection.pong(frame.data)
                elif frame.opcode == websocket.ABNF.OPCODE_TEXT and frame.data.decode() != unanswered.popleft():
                    raise RuntimeError("the WebSocket echoed %r out of turn" % frame.data)
        except (websocket.WebSocketConnectionClosedException, ConnectionError, ssl.SSLError):
            return version, 1006
        finally:
            # A clean close from this side; the server may be gone already.
            connection.close(timeout=1)

    def _keep_open(self, kind):
        connect = self._stream if kind == "sse" else self._websocket
        pending = None  # the connection that ended, waiting for its reconnect's release
        while not self._stopping():
            try:
                version, end = connect()
            except Exception as error:  # could not connect: counted, then tried again
                with self._lock:
                    self.errors.append((round(time.monotonic() - self.started, 3), kind, repr(error)[:200]))
                self._stop.wait(0.2)
                continue
            with self._lock:
                self.opened[kind] += 1
                if pending is not None:
                    self.ended.append(pending._replace(after=version))
                    pending = None
                if end is not None:
                    pending = Ended(kind, version, end, None)
        if pending is not None:
            with self._lock:
                self.ended.append(pending)

    def __enter__(self):
        with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as ca_file:
            ca_file.write(self.ca_pem)
        self._ca_file = ca_file.name
        self.started = time.monotonic()
        for kind in self.kinds:
            thread = threading.Thread(target=self._keep_open, args=(kind,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        os.unlink(self._ca_file)

    def summary(self):
        return "long-lived connections: opened %s, ended by the server %s, errors %s" % (
            dict(self.opened), [tuple(ended) for ended in self.ended], self.errors)


def under_load(server_name, port, ca_pem, action, lead_seconds=3, min_seconds=0, methods=("GET",),
               streams=0, websockets=0):
    """Run `action` `lead_seconds` into a load that lasts at least `min_seconds` and goes on
    for `lead_seconds` after it; return the finished load and what `action` returned.
    With `streams` or `websockets`, the load's `long_lived` holds those connections."""
    with Load(server_name, port, ca_pem, methods=methods) as load, \
            LongLived(server_name, port, ca_pem, streams, websockets) as long_lived:
        load.long_lived = long_lived
        time.sleep(lead_seconds)
        result = action()
        time.sleep(max(lead_seconds, min_seconds - (time.monotonic() - load.started)))
    print(load.summary())
    if streams or websockets:
        print(long_lived.summary())
    return load, result
