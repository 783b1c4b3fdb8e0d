"""JSON with the release's version, a health check that needs the app's table, and
request bodies echoed as digests (POST, PUT): what the release tests' load checks."""

import hashlib
import os
import threading
from importlib.metadata import version

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hello_django.models import Greeting

APP_VERSION = os.environ.get("HELLO_VERSION") or version("hello-django")


@require_GET
def index(request):
    return JsonResponse({
        "app": "hello-django",
        "version": APP_VERSION,
        "pid": os.getpid(),
        # A gthread worker answers from its threads, a sync worker from its main thread.
        "thread": threading.current_thread().name,
        "greetings": Greeting.objects.count(),
        "scheme": request.scheme,
    })


@require_GET
def healthz(request):
    # A release whose migrations did not run has no table: it never takes traffic.
    Greeting.objects.exists()
    return JsonResponse({"status": "ok", "version": APP_VERSION})


def _digest(request, **more):
    body = request.body
    return JsonResponse(dict(version=APP_VERSION, sha256=hashlib.sha256(body).hexdigest(), length=len(body), **more))


@csrf_exempt
@require_http_methods(["POST"])
def echo(request):
    return _digest(request)


@csrf_exempt
@require_http_methods(["PUT"])
def item(request, name):
    return _digest(request, name=name)
