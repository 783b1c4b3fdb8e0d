"""A small real FastAPI app: JSON with its version, a health check, request bodies
echoed as digests (POST, PUT), a WebSocket echo and server-sent event streams, enough to
prove every hop of a deployment and every kind of connection across a release switch."""

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import signal
import time
from importlib.metadata import version

from fastapi import FastAPI, HTTPException, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

APP_VERSION = os.environ.get("HELLO_VERSION") or version("hello-asgi")
# A version stream never outlives this, whatever the client asks for.
MAX_STREAM_SECONDS = 600


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    # uvicorn answers TERM by waiting for open responses to finish; an endless event
    # stream never would, and would be cut when gunicorn's graceful_timeout runs out.
    # Hearing the signal too lets the streams end properly instead.
    loop = asyncio.get_running_loop()
    app.state.stopping = asyncio.Event()
    chained = {}

    def notice(signum, frame):
        loop.call_soon_threadsafe(app.state.stopping.set)
        if callable(chained[signum]):
            chained[signum](signum, frame)

    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            chained[signum] = signal.signal(signum, notice)
        except ValueError:  # not the main thread (a test client): no signals to hear
            break
    app.state.jobs = None
    yield
    if app.state.jobs is not None:
        await app.state.jobs.aclose()
    for signum, handler in chained.items():
        signal.signal(signum, handler)


app = FastAPI(title="hello-asgi", version=APP_VERSION, lifespan=lifespan)
log = logging.getLogger("hello_asgi")


class LogRequests:
    """One line per request through plain stdlib logging: the host's log setup adds the
    request id nginx made, so this line and nginx's access line share it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.monotonic()

        async def sending(message):
            if message["type"] == "http.response.start":
                log.info("%s %s answered %d in %.1f ms", scope["method"], scope["path"], message["status"],
                         (time.monotonic() - started) * 1000)
            await send(message)

        return await self.app(scope, receive, sending)


app.add_middleware(LogRequests)


@app.get("/boom")
async def boom() -> dict:
    # A traceback in the logs, to show it stays one line (one JSON object).
    raise RuntimeError("boom on purpose")


@app.get("/")
async def index(request: Request) -> dict:
    # What the app saw of the request: proves the proxy headers arrive and are trusted.
    client = request.client.host if request.client else None
    return {
        "app": os.environ.get("HELLO_NAME", "hello-asgi"),
        "version": APP_VERSION,
        "pid": os.getpid(),
        "client": client,
        "scheme": request.url.scheme,
        "host": request.headers.get("host"),
    }


@app.get("/healthz")
async def healthz(response: Response) -> dict:
    # HELLO_UNHEALTHY lets tests ship a release that starts but fails its health check.
    if os.environ.get("HELLO_UNHEALTHY"):
        response.status_code = 500
        return {"status": "failing"}
    return {"status": "ok"}


async def body_digest(request: Request) -> dict:
    # The digest proves the whole body arrived, once, unchanged.
    body = await request.body()
    return {"version": APP_VERSION, "sha256": hashlib.sha256(body).hexdigest(), "length": len(body)}


@app.post("/echo")
async def echo_post(request: Request) -> dict:
    return await body_digest(request)


@app.put("/items/{name}")
async def echo_put(name: str, request: Request) -> dict:
    return dict(await body_digest(request), name=name)


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.websocket("/ws/version")
async def echo_with_version(websocket: WebSocket) -> None:
    # The first message names the release that took the connection; then an echo.
    # At shutdown uvicorn closes the connection itself with 1012 (service restart).
    await websocket.accept()
    try:
        await websocket.send_text(json.dumps({"version": APP_VERSION}))
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


def event_stream(body) -> StreamingResponse:
    # X-Accel-Buffering: nginx passes each event on as it comes, without stream_paths.
    return StreamingResponse(body, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@app.get("/events")
async def events(count: int = 3, interval: float = 0.2) -> StreamingResponse:
    async def stream():
        for n in range(min(count, 100)):
            yield f"data: {n}\n\n"
            await asyncio.sleep(interval)

    return event_stream(stream())


@app.get("/events/version")
async def version_events(request: Request, seconds: float = MAX_STREAM_SECONDS) -> StreamingResponse:
    """An event with the release's version every 0.5 s for `seconds`. When the server
    shuts down the stream ends at once with a `shutdown` event and a proper end of the
    response, telling the client to reconnect (to the release that serves then)."""
    stopping = request.app.state.stopping
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(seconds, MAX_STREAM_SECONDS)

    async def stream():
        n = 0
        while not stopping.is_set() and loop.time() < deadline:
            yield f"id: {n}\ndata: {json.dumps({'version': APP_VERSION, 'n': n})}\n\n"
            n += 1
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), 0.5)
        if stopping.is_set():
            yield f"event: shutdown\ndata: {json.dumps({'version': APP_VERSION})}\n\n"

    return event_stream(stream())


@app.post("/jobs")
async def enqueue(request: Request, seconds: float = 0.0, hold: bool = False, job_id: str = "") -> dict:
    """Enqueue a job for the worker (hello_asgi.worker) in Redis (HELLO_REDIS_URL) that takes
    `seconds` (a job that holds ends once the key hello:jobs:go exists); a job id given
    twice is enqueued once."""
    from arq import create_pool  # only apps that enqueue need Redis

    from hello_asgi.worker import redis_settings

    if request.app.state.jobs is None:
        request.app.state.jobs = await create_pool(redis_settings())
    job = await request.app.state.jobs.enqueue_job("record", seconds, hold, _job_id=job_id or None)
    if job is None:
        raise HTTPException(status_code=409, detail="job %s exists already" % job_id)
    return {"job_id": job.job_id, "version": APP_VERSION}
