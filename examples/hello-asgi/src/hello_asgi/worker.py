"""The example's queue worker and scheduled job, run by asgi.deploy as the app's
`processes` and `timers` from the release's venv:

    arq hello_asgi.worker.WorkerSettings      a worker of the jobs POST /jobs enqueues
    hello-asgi-tick                           one line to the journal (a timer's run)

Each job records itself in Redis when it starts and when it is done, with the release's
version and the worker's process id: the list `hello:jobs:done` names every job done, as
often as it was done. On TERM the worker takes no new job and finishes the ones in
progress (job_completion_wait) before it exits."""

import asyncio
import json
import os
import time
from importlib.metadata import version

from arq.connections import RedisSettings

APP_VERSION = os.environ.get("HELLO_VERSION") or version("hello-asgi")
STARTED = "hello:jobs:started"
DONE = "hello:jobs:done"
GO = "hello:jobs:go"


def redis_settings() -> RedisSettings:
    return RedisSettings.from_dsn(os.environ.get("HELLO_REDIS_URL", "redis://127.0.0.1:6379/0"))


async def record(ctx, seconds: float = 0.0, hold: bool = False) -> dict:
    """The job: note its start, take `seconds` (at most 120), note that it is done. A job
    that holds ends earlier, as soon as the key `hello:jobs:go` exists (a test's cue)."""
    entry = {"job": ctx["job_id"], "version": APP_VERSION, "pid": os.getpid(),
             "slot": os.environ.get("ASGI_SLOT"), "started": time.time()}
    await ctx["redis"].rpush(STARTED, json.dumps(entry))
    deadline = time.monotonic() + min(max(seconds, 0.0), 120.0)
    while time.monotonic() < deadline:
        if hold and await ctx["redis"].exists(GO):
            break
        await asyncio.sleep(min(0.2, max(deadline - time.monotonic(), 0.0)))
    entry["done"] = time.time()
    await ctx["redis"].rpush(DONE, json.dumps(entry))
    return entry


class WorkerSettings:
    functions = [record]
    redis_settings = redis_settings()
    # On TERM: finish the jobs in progress for up to this long (asgi.deploy's stop_timeout
    # bounds it from the outside).
    job_completion_wait = 120
    max_jobs = 4


def tick() -> None:
    """A timer's run: one line, with the release that ran it."""
    print(json.dumps({"tick": APP_VERSION, "slot": os.environ.get("ASGI_SLOT"), "time": time.time()}), flush=True)
