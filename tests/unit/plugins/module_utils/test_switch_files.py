# -*- coding: utf-8 -*-
# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of a release switch's configure, record and commit steps, as asgi.deploy.files
entries: each slot file from where it is staged or kept, to where the slot reads it, for
whom; the links; the fingerprint the next plan reads."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils import _switch_files
from ansible_collections.asgi.deploy.plugins.module_utils._apps import normalize_apps
from ansible_collections.asgi.deploy.plugins.module_utils._files import checked
from ansible_collections.asgi.deploy.plugins.module_utils._release import PlanError

SHOP = {
    "name": "shop",
    "module": "shop.main:app",
    "server_names": ["shop.example.test"],
    "source": {"type": "wheel", "path": "dist/shop-1.0-py3-none-any.whl"},
    "processes": [{"name": "worker", "command": "celery -A shop worker"}],
}
CONF = "/etc/asgi-deploy/shop/"
UNIT = "/etc/systemd/system/asgi-shop"


@pytest.fixture
def app():
    return normalize_apps([SHOP])[0]


def copies(entries):
    return [(entry["copy_from"], entry["path"], entry["group"], entry["mode"]) for entry in entries if "copy_from" in entry]


def test_configure_makes_the_slot_directories_first_then_copies_the_staged_files(app):
    entries = _switch_files.configure(app, {"step": "configure", "slot": "b", "release": "r-1", "source": "staged",
                                            "fingerprint": "f1"})
    directories = [(entry["path"], entry["group"], entry["mode"]) for entry in entries if entry.get("state") == "directory"]
    assert directories == [
        (CONF + "slots/b", "shop", "0750"),
        (UNIT + "@b.service.d", "root", "0755"),
        (UNIT + "@b.socket.d", "root", "0755"),
        (UNIT + ".worker-b@.service.d", "root", "0755"),
    ]
    assert entries[:4] == [entry for entry in entries if entry.get("state") == "directory"]
    assert copies(entries) == [
        (CONF + "staged/env", CONF + "slots/b/env", "shop", "0640"),
        (CONF + "staged/gunicorn.conf.py", CONF + "slots/b/gunicorn.conf.py", "shop", "0640"),
        (CONF + "staged/service.conf", UNIT + "@b.service.d/50-asgi-deploy.conf", "root", "0644"),
        (CONF + "staged/socket.conf", UNIT + "@b.socket.d/50-asgi-deploy.conf", "root", "0644"),
        (CONF + "staged/process-worker.sh", CONF + "slots/b/process-worker.sh", "shop", "0640"),
        (CONF + "staged/process-worker.conf", UNIT + ".worker-b@.service.d/50-asgi-deploy.conf", "root", "0644"),
    ]
    state = entries[-1]
    assert (state["path"], state["owner"], state["group"], state["mode"]) == (CONF + "slots/b/state.json", "root", "root", "0600")
    assert json.loads(state["content"]) == {"release": "r-1", "fingerprint": "f1"}
    # Byte for byte as the to_nice_json of earlier versions wrote it: no slot is rewritten.
    assert state["content"] == '{\n    "fingerprint": "f1",\n    "release": "r-1"\n}\n'
    assert all(entry["owner"] == "root" for entry in entries)
    checked(entries)


def test_a_rollback_configures_from_the_release_except_the_files_it_never_served_with(app):
    entries = _switch_files.configure(app, {"step": "configure", "slot": "a", "release": "r-0", "source": "release",
                                            "fingerprint": "f0", "staged_only": ["process-worker.sh", "process-worker.conf"]})
    assert [source for source, _dest, _group, _mode in copies(entries)] == [
        CONF + "releases/r-0/env", CONF + "releases/r-0/gunicorn.conf.py",
        CONF + "releases/r-0/service.conf", CONF + "releases/r-0/socket.conf",
        CONF + "staged/process-worker.sh", CONF + "staged/process-worker.conf",
    ]


@pytest.mark.parametrize("step", [
    {"step": "configure", "slot": "a", "release": "../etc", "source": "release", "fingerprint": "f"},
    {"step": "commit", "slot": "a", "release": ".hidden", "current": "a", "previous": None},
])
def test_a_release_that_is_no_release_id_is_refused(app, step):
    with pytest.raises(PlanError, match="is not a release id"):
        getattr(_switch_files, step["step"])(app, step, *(["f"] if step["step"] == "commit" else []))


@pytest.mark.parametrize("previous, expected", [
    ("r-0", [("/srv/shop/current", "slots/b"), ("/srv/shop/previous", "releases/r-0")]),
    (None, [("/srv/shop/current", "slots/b")]),
])
def test_record_points_current_at_the_slot_and_previous_at_the_release_before(app, previous, expected):
    entries = _switch_files.record(app, {"step": "record", "current": "b", "previous": previous})
    assert [(entry["path"], entry["target"]) for entry in entries] == expected
    assert all(entry["state"] == "link" for entry in entries)
    checked(entries)


def test_commit_links_then_keeps_the_slot_configuration_and_fingerprint_with_the_release(app):
    entries = _switch_files.commit(app, {"step": "commit", "slot": "b", "release": "r-1", "current": "b",
                                         "previous": "r-0"}, "f1")
    assert [entry["path"] for entry in entries[:3]] == [
        "/srv/shop/current", "/srv/shop/previous", CONF + "releases/r-1"]
    assert (entries[2]["state"], entries[2]["mode"]) == ("directory", "0700")
    assert copies(entries) == [
        (CONF + "slots/b/env", CONF + "releases/r-1/env", "root", "0600"),
        (CONF + "slots/b/gunicorn.conf.py", CONF + "releases/r-1/gunicorn.conf.py", "root", "0600"),
        (UNIT + "@b.service.d/50-asgi-deploy.conf", CONF + "releases/r-1/service.conf", "root", "0600"),
        (UNIT + "@b.socket.d/50-asgi-deploy.conf", CONF + "releases/r-1/socket.conf", "root", "0600"),
        (CONF + "slots/b/process-worker.sh", CONF + "releases/r-1/process-worker.sh", "root", "0600"),
        (UNIT + ".worker-b@.service.d/50-asgi-deploy.conf", CONF + "releases/r-1/process-worker.conf", "root", "0600"),
    ]
    assert (entries[-1]["path"], entries[-1]["content"]) == (CONF + "releases/r-1/fingerprint", "f1\n")
    checked(entries)
