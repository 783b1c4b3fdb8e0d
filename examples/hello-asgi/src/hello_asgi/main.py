"""A small real FastAPI app: JSON with its version, a health check, a WebSocket echo
and a server-sent event stream, enough to prove every hop of a deployment."""

import asyncio
import logging
import os
import time
from importlib.metadata import version

from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

APP_VERSION = os.environ.get("HELLO_VERSION") or version("hello-asgi")

app = FastAPI(title="hello-asgi", version=APP_VERSION)
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


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.get("/events")
async def events(count: int = 3, interval: float = 0.2) -> StreamingResponse:
    async def stream():
        for n in range(min(count, 100)):
            yield f"data: {n}\n\n"
            await asyncio.sleep(interval)

    return StreamingResponse(stream(), media_type="text/event-stream")
