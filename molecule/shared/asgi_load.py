"""A bounded HTTPS load from the machine running the tests to a published 127.0.0.1 port,
counting every failed request: a socket error or any status other than 200."""

import collections
import json
import threading
import time

import urllib3

from asgi_probe import https_pool


class Load:
    """Keep `connections` keep-alive clients busy on GET `path` until stopped or until
    `max_seconds` pass; used as a context manager around a deploy."""

    def __init__(self, server_name, port, ca_pem, connections=8, path="/", max_seconds=900):
        self.server_name, self.port, self.ca_pem = server_name, port, ca_pem
        self.connections, self.path, self.max_seconds = connections, path, max_seconds
        self.versions = collections.Counter()
        self.failures = []
        self.latencies = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self.started = self.stopped = None

    def _client(self):
        pool = https_pool(self.server_name, self.port, self.ca_pem)
        deadline = self.started + self.max_seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            begin = time.monotonic()
            try:
                response = pool.request("GET", self.path, headers={"Host": self.server_name},
                                        redirect=False)
                outcome = response.status, response.data
            except urllib3.exceptions.HTTPError as error:
                outcome = None, repr(error)
            elapsed = time.monotonic() - begin
            with self._lock:
                self.latencies.append(elapsed)
                status, body = outcome
                if status == 200:
                    self.versions[json.loads(body)["version"]] += 1
                else:
                    self.failures.append((round(begin - self.started, 3), status, str(body)[:200]))

    def __enter__(self):
        self.started = time.monotonic()
        for _ in range(self.connections):
            thread = threading.Thread(target=self._client, daemon=True)
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

    def percentile(self, fraction):
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None

    def summary(self):
        return ("%d requests in %.1f s, %d failed, versions %s, p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                % (self.requests, self.stopped - self.started, len(self.failures), dict(self.versions),
                   1000 * self.percentile(0.5), 1000 * self.percentile(0.99), 1000 * max(self.latencies)))


def under_load(server_name, port, ca_pem, action, lead_seconds=3, min_seconds=0):
    """Run `action` `lead_seconds` into a load that lasts at least `min_seconds` and goes on
    for `lead_seconds` after it; return the finished load and what `action` returned."""
    with Load(server_name, port, ca_pem) as load:
        time.sleep(lead_seconds)
        result = action()
        time.sleep(max(lead_seconds, min_seconds - (time.monotonic() - load.started)))
    print(load.summary())
    return load, result
