"""Reading a test host's logs the way an operator follows one request: the app's journal
lines (JSON in json log mode) and nginx's access log, joined by the request id."""

import json

from asgi_probe import https_pool

# Every JSON line of an app's gunicorn, uvicorn and stdlib logging has these.
FIELDS = ("time", "level", "logger", "message", "app", "release", "slot", "request_id")


def slot_messages(host, app):
    """The MESSAGE of every journal entry the app's slots' processes wrote (not systemd's
    own lines about the units, such as "Started ..."), oldest first. --all: without it
    journalctl's JSON output gives a field above 4096 bytes (a traceback's line) as null."""
    output = host.check_output(
        "journalctl --no-pager --all -o json --output-fields=MESSAGE,_SYSTEMD_UNIT -u 'asgi-%s@*'" % app)
    messages = []
    for line in output.splitlines():
        entry = json.loads(line)
        if entry.get("_SYSTEMD_UNIT", "").startswith("asgi-%s@" % app):
            message = entry.get("MESSAGE")
            if message is None:
                continue
            # journald stores a message that is not UTF-8 as a list of bytes.
            messages.append(bytes(message).decode("utf-8", "replace") if isinstance(message, list) else message)
    return messages


def json_lines(host, app):
    return [json.loads(message) for message in slot_messages(host, app)]


def get_with_request_id(server_name, port, ca_pem, path, request_id):
    """A request that carries its own X-Request-ID; the response."""
    return https_pool(server_name, port, ca_pem).request(
        "GET", path, headers={"Host": server_name, "X-Request-ID": request_id}, redirect=False)


def nginx_lines_with(host, app, text):
    log = host.file("/var/log/nginx/%s.access.log" % app).content_string
    return [line for line in log.splitlines() if text in line]
