# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the app role writes for every app on each converge, as asgi.deploy.files entries
for one call each, so that a converge with every release built runs no task per app: the
apps' directories, and each app's staged environment file with the package index settings
of its builds. Also where each release's build marker lies."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

from ansible_collections.asgi.deploy.plugins.module_utils._release import release_path

# pip.conf's keys, by the field of asgi_apps[].source that sets them.
INDEX_FIELDS = (("index-url", "index_url"), ("extra-index-url", "extra_index_url"))


def index_settings(source):
    """The package indexes of an app's builds, by pip.conf key, from its source as the
    operator wrote it (credentials in the URLs included); empty when it names none."""
    return dict((key, source[field]) for key, field in INDEX_FIELDS if source.get(field))


def _directory(path, owner, group, mode):
    return {"path": path, "state": "directory", "owner": owner, "group": group, "mode": mode}


def directories(app):
    """An app's directories: its home, the releases and slots, the working directory, the
    directory the app may write (shared) and its configuration, staged files included."""
    return [
        _directory(app["home"], "root", "root", "0755"),
        _directory(app["releases_dir"], "root", "root", "0755"),
        _directory(app["slots_dir"], "root", "root", "0755"),
        _directory(app["workdir"], "root", "root", "0755"),
        _directory(app["shared_dir"], app["user"], app["group"], "0750"),
        _directory(app["config_dir"], "root", app["group"], "0750"),
        # What the next switch copies to the slot it starts (asgi.deploy.release); root's only.
        _directory(app["staged_dir"], "root", "root", "0700"),
    ]


def env_file(app):
    """An app's staged environment file, which the next switch copies to its slot."""
    return posixpath.join(app["staged_dir"], "env")


def index_files(name, indexes, build_dir):
    """pip's and uv's settings of an app's builds, by installer, when they use a package
    index of their own (indexes, index_settings' answer), else none."""
    if not indexes:
        return {}
    return {"pip": posixpath.join(build_dir, name + "-pip.conf"),
            "uv": posixpath.join(build_dir, name + "-uv.toml")}


def staged(app, indexes, secret_env, build_dir, build_user):
    """An app's staged environment file (its env and secrets, root's only), and its
    index_files, readable by the build user: the credentials in the URLs never reach a
    command line."""
    entries = [{"path": env_file(app), "template": "env.j2",
                "template_vars": {"app": app, "_app_secret_env": secret_env},
                "owner": "root", "group": "root", "mode": "0600"}]
    settings = index_files(app["name"], indexes, build_dir)
    for installer, template in (("pip", "pip.conf.j2"), ("uv", "uv.toml.j2")):
        if installer in settings:
            entries.append({"path": settings[installer], "template": template,
                            "template_vars": {"app": app, "_app_pip_indexes": indexes},
                            "owner": "root", "group": build_user, "mode": "0640"})
    return entries


def release_marker(app, release):
    """The file a finished build of the release writes last."""
    return posixpath.join(release_path(app["releases_dir"], release), "release.json")


def app_files(apps, raw_apps, secret_env, releases, build_dir, build_user):
    """For the records apps (asgi.deploy.asgi_apps_normalize's) and asgi_apps as written
    (raw_apps, whose sources keep the credentials): directories and staged, the entries of
    every app in order; by app name, env_files (the staged environment file), markers (the
    build marker of the release named in releases) and index_files."""
    sources = dict((app["name"], app.get("source") or {}) for app in raw_apps)
    result = {"directories": [], "staged": [], "env_files": {}, "markers": {}, "index_files": {}}
    for app in apps:
        name = app["name"]
        indexes = index_settings(sources[name])
        result["directories"].extend(directories(app))
        result["staged"].extend(staged(app, indexes, secret_env.get(name, {}), build_dir, build_user))
        result["env_files"][name] = env_file(app)
        result["markers"][name] = release_marker(app, releases[name])
        result["index_files"][name] = index_files(name, indexes, build_dir)
    return result
