"""A bare WSGI callable, no framework (hello_django.plain:application): any WSGI app
deploys the same way as Django."""

import json
import os
import threading
from importlib.metadata import version

APP_VERSION = os.environ.get("HELLO_VERSION") or version("hello-django")


def application(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        answer = {"status": "ok"}
    else:
        answer = {"app": "plain", "version": APP_VERSION, "pid": os.getpid(),
                  "thread": threading.current_thread().name, "scheme": environ["wsgi.url_scheme"]}
    body = json.dumps(answer).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
