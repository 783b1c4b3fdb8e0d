# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of a release switch's steps, as entries of one asgi.deploy.files call per
step (the release role's configure, record and commit): which directories, which files
copied from where on the host, which links. A task per file cost a module run or two
each; a switch wrote about twenty. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import posixpath

from ansible_collections.asgi.deploy.plugins.module_utils._release import release_path


def slot_config(app, slot):
    """The files of a slot's configuration: the name each has where it is staged (and kept
    with a release), where the slot reads it, who may read it (the env file holds the
    app's secrets)."""
    paths = app["slots"][slot]
    return [
        {"name": "env", "dest": paths["env_file"], "group": app["group"], "mode": "0640"},
        {"name": "gunicorn.conf.py", "dest": paths["gunicorn_conf"], "group": app["group"], "mode": "0640"},
        {"name": "service.conf", "dest": paths["service_dropin"], "group": "root", "mode": "0644"},
        {"name": "socket.conf", "dest": paths["socket_dropin"], "group": "root", "mode": "0644"},
    ] + list(app["slot_files"][slot])


def _directory(path, group, mode):
    return {"path": path, "state": "directory", "owner": "root", "group": group, "mode": mode}


def configure(app, step):
    """The configure step: the candidate slot's directories, its configuration copied from
    the staged files (or from those kept with the release, a rollback; a file the release
    never served with still comes from the staged ones), then the fingerprint it is
    configured with, which the next plan reads."""
    slot = step["slot"]
    paths = app["slots"][slot]
    source = (release_path(app["release_configs_dir"], step["release"]) if step.get("source") == "release"
              else app["staged_dir"])
    staged_only = step.get("staged_only") or []
    directories = [(paths["config_dir"], app["group"], "0750"),
                   (posixpath.dirname(paths["service_dropin"]), "root", "0755"),
                   (posixpath.dirname(paths["socket_dropin"]), "root", "0755")]
    directories += [(entry["path"], entry["group"], entry["mode"]) for entry in app["slot_dirs"][slot]]
    entries = [_directory(*directory) for directory in directories]
    entries += [{"path": entry["dest"], "owner": "root", "group": entry["group"], "mode": entry["mode"],
                 "copy_from": posixpath.join(app["staged_dir"] if entry["name"] in staged_only else source,
                                             entry["name"])}
                for entry in slot_config(app, slot)]
    state = {"release": step["release"], "fingerprint": step["fingerprint"]}
    # As ansible's to_nice_json wrote it: a slot configured before keeps its file unchanged.
    entries.append({"path": posixpath.join(paths["config_dir"], "state.json"), "owner": "root", "group": "root",
                    "mode": "0600", "content": json.dumps(state, indent=4, sort_keys=True, ensure_ascii=False) + "\n"})
    return entries


def record(app, step):
    """The links of a recorded switch (the record or commit step): current to the slot,
    previous to the release that served before (left as it is when there is none)."""
    entries = [{"path": app["current"], "state": "link", "target": "slots/" + step["current"]}]
    if step.get("previous"):
        entries.append({"path": app["previous"], "state": "link", "target": "releases/" + step["previous"]})
    return entries


def commit(app, step, fingerprint):
    """The commit step: the links, then the slot's configuration kept with the release (root's
    only) with its fingerprint, for a rollback to it."""
    kept = release_path(app["release_configs_dir"], step["release"])
    entries = record(app, step) + [_directory(kept, "root", "0700")]
    entries += [{"path": posixpath.join(kept, entry["name"]), "copy_from": entry["dest"],
                 "owner": "root", "group": "root", "mode": "0600"}
                for entry in slot_config(app, step["slot"])]
    entries.append({"path": posixpath.join(kept, "fingerprint"), "content": fingerprint + "\n",
                    "owner": "root", "group": "root", "mode": "0600"})
    return entries
