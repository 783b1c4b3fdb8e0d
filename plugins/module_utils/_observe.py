# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an app's gunicorn logs and how: the logging configuration (gunicorn's
logconfig_dict) of each log format, and how the worker class calls the app. Pure: no
Ansible imports, tested by tests/unit/plugins/module_utils/test_observe.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

LOG_FORMATS = ("json", "text")
# The fields every line has, in this order (python-json-logger adds the time).
FIELDS = ("level", "logger", "message", "app", "release", "slot", "request_id")
# The record attributes behind them: asgi_deploy_runtime.ContextFilter sets the last four.
_RECORD_FIELDS = ("levelname", "name", "message", "app", "release", "slot", "request_id")
_RENAMED = {"levelname": "level", "name": "logger"}
TEXT_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s (request %(request_id)s)"
# Worker classes that call the app as ASGI; the others (sync, gthread, ...) as WSGI.
ASGI_WORKERS = ("uvicorn_worker.UvicornWorker", "uvicorn_worker.UvicornH11Worker",
                "uvicorn.workers.UvicornWorker", "uvicorn.workers.UvicornH11Worker", "asgi")


class LogConfigError(ValueError):
    pass


def interface(worker_class):
    """'asgi' or 'wsgi': how gunicorn's worker class calls the app."""
    return "asgi" if worker_class in ASGI_WORKERS else "wsgi"


def logconfig(log_format, access_log=False, level="info"):
    """gunicorn's logconfig_dict: gunicorn, uvicorn and the app's stdlib logging write
    one line per record to stderr (the journal), in log_format.

    json: one JSON object per line (python-json-logger, from the release's venv, through
    asgi_deploy_runtime.json_formatter), a traceback as its exc_info field. text: gunicorn's plain lines with the logger's name
    and the request id. access_log: gunicorn's and uvicorn's access lines, or none.
    """
    if log_format not in LOG_FORMATS:
        raise LogConfigError("log format %r is not one of %s" % (log_format, ", ".join(LOG_FORMATS)))
    if log_format == "json":
        formatter = {
            # python-json-logger's formatter, with orjson where the venv has it.
            "()": "asgi_deploy_runtime.json_formatter",
            "fmt": " ".join("%%(%s)s" % field for field in _RECORD_FIELDS),
            "rename_fields": dict(_RENAMED),
            "timestamp": "time",
        }
    else:
        formatter = {"format": TEXT_FORMAT, "datefmt": "[%Y-%m-%d %H:%M:%S %z]"}
    level = level.upper()
    loggers = {
        "gunicorn.error": {"level": level, "handlers": ["journal"], "propagate": False},
        # Off, access lines are not even made (uvicorn copies this level to uvicorn.access).
        "gunicorn.access": {
            "level": "INFO" if access_log else "WARNING",
            "handlers": ["journal"] if access_log else [],
            "propagate": False,
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "asgi_deploy_runtime.ContextFilter"}},
        "formatters": {log_format: formatter},
        "handlers": {
            "journal": {
                "class": "logging.StreamHandler",
                # The real stderr: asgi_deploy_runtime makes sys.stderr a logger's.
                "stream": "ext://sys.__stderr__",
                "formatter": log_format,
                "filters": ["context"],
            },
        },
        # The app's own loggers reach the journal through the root logger.
        "root": {"level": "INFO", "handlers": ["journal"]},
        "loggers": loggers,
    }


def network_errors(networks):
    """One message per entry that is no IP address or network (CIDR); [] when all are."""
    if not isinstance(networks, list):
        return ["expected a list of addresses or networks"]
    problems = []
    for entry in networks:
        try:
            if not isinstance(entry, str) or not entry or entry != entry.strip():
                raise ValueError
            ipaddress.ip_network(u"%s" % entry, strict=False)
        except ValueError:
            problems.append("%r is no IP address or network (CIDR)" % (entry,))
    return problems
