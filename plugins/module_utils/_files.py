# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Directories and files of a role written in one module call (the module asgi.deploy.files):
each entry is checked against the host and only what differs is changed, a file's new
content written beside it and moved over it, so a reader never sees half of it. A role
that wrote them with one template or copy task each paid two module runs per file for
nothing to do. Standard library only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import grp
import os
import pwd
import stat
import tempfile

STATES = ("directory", "file", "link", "absent")
KEYS = ("path", "state", "content", "copy_from", "target", "owner", "group", "mode", "validate")


class FilesError(ValueError):
    pass


def _number(kind, name, lookup):
    try:
        return lookup(name)[2]
    except KeyError:
        raise FilesError("%s %r does not exist on the host" % (kind, name))


def checked(entries):
    """The entries with their mode as a number; FilesError names the first bad one. All are
    checked before anything on the host changes."""
    result = []
    for index, entry in enumerate(entries):
        where = "files[%d] (%s)" % (index, entry.get("path", "no path"))
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise FilesError("%s: unknown keys %s" % (where, ", ".join(unknown)))
        path, state = entry.get("path"), entry.get("state", "file")
        if not path or not os.path.isabs(path) or os.path.normpath(path) != path:
            raise FilesError("%s: path must be absolute and normalized" % where)
        if state not in STATES:
            raise FilesError("%s: state must be one of %s" % (where, ", ".join(STATES)))
        sources = [key for key in ("content", "copy_from") if entry.get(key) is not None]
        if (state == "file") != (len(sources) == 1):
            raise FilesError("%s: a file takes one of content and copy_from, a directory, link or absent entry neither"
                             % where)
        if entry.get("copy_from") is not None and not os.path.isabs(entry["copy_from"]):
            raise FilesError("%s: copy_from must be an absolute path on the host" % where)
        if (state == "link") != bool(entry.get("target")):
            raise FilesError("%s: a link takes a target, a file or directory none" % where)
        if state in ("link", "absent") and any(entry.get(key) is not None for key in ("owner", "group", "mode")):
            raise FilesError("%s: a link or absent entry has no owner, group or mode" % where)
        if entry.get("validate") is not None and (state != "file" or "%s" not in entry["validate"]):
            raise FilesError("%s: validate is a file's, a command with %%s for the new content's path" % where)
        mode = entry.get("mode")
        try:
            mode = int(str(mode), 8) if mode is not None else None
        except ValueError:
            mode = -1
        if mode is not None and not 0 <= mode <= 0o7777:
            raise FilesError("%s: mode must be octal, for example \"0644\"" % where)
        result.append(dict(entry, state=state, mode=mode))
    return result


def _attributes(entry):
    """(uid, gid, mode) wanted; None where the entry leaves it as it is."""
    uid = _number("user", entry["owner"], pwd.getpwnam) if entry.get("owner") is not None else None
    gid = _number("group", entry["group"], grp.getgrnam) if entry.get("group") is not None else None
    return uid, gid, entry.get("mode")


def _differences(path, uid, gid, mode):
    # As chown and chmod see it: through a symbolic link.
    found = os.stat(path)
    return {
        "owner": uid is not None and found.st_uid != uid,
        "group": gid is not None and found.st_gid != gid,
        "mode": mode is not None and stat.S_IMODE(found.st_mode) != mode,
    }


def _set_attributes(path, uid, gid, mode):
    if uid is not None or gid is not None:
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    if mode is not None:
        os.chmod(path, mode)


def read_bytes(path):
    """A file's bytes; None when it cannot be read (missing, a directory)."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def found(paths):
    """The paths that exist, in order (a link to nothing does not); a relative one fails."""
    relative = [path for path in paths if not path.startswith("/")]
    if relative:
        raise FilesError("look_for: %s is not an absolute path" % relative[0])
    return [path for path in paths if os.path.exists(path)]


def _write_beside(path, data, uid, gid, mode, validate=None):
    """data into a new file in path's directory, with its attributes, moved over path once
    validate (when given) accepted that new file's path."""
    directory = os.path.dirname(path)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if os.path.exists(path):
            # What the entry leaves as it is stays as the old file had it.
            found = os.stat(path)
            uid = found.st_uid if uid is None else uid
            gid = found.st_gid if gid is None else gid
            mode = stat.S_IMODE(found.st_mode) if mode is None else mode
        _set_attributes(temporary, uid, gid, 0o644 if mode is None else mode)
        if validate is not None:
            validate(temporary)
        os.rename(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _validated(run_validate, path, command, new):
    try:
        run_validate(command, new)
    except FilesError as error:
        raise FilesError("%s: the new content was refused, nothing of it went live: %s" % (path, error))


def _source(entry, check_mode):
    """A file entry's new content as bytes; None for a copy_from source that is missing in
    check mode (an earlier task of the run would have made it)."""
    if entry.get("copy_from") is None:
        return entry["content"].encode("utf-8") if entry["state"] == "file" else None
    data = read_bytes(entry["copy_from"])
    if data is None and not check_mode:
        raise FilesError("%s: copy_from %s is not a readable file on the host" % (entry["path"], entry["copy_from"]))
    return data


def _link(path, target, check_mode):
    """What changes to make path a symbolic link to target; a link or file in its place
    is replaced in one rename, so a reader finds the old link or the new, never none."""
    if os.path.islink(path):
        if os.readlink(path) == target:
            return []
    elif os.path.isdir(path):
        raise FilesError("%s exists and is not a link" % path)
    changed = ["target" if os.path.lexists(path) else "created"]
    if not check_mode:
        temporary = os.path.join(os.path.dirname(path), ".%s.%d" % (os.path.basename(path), os.getpid()))
        if os.path.lexists(temporary):
            os.unlink(temporary)
        os.symlink(target, temporary)
        try:
            os.rename(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise
    return changed


def apply(entries, check_mode=False, run_validate=None):
    """Make the host match the checked entries, in order; [{"path", "changed": [what],
    "before", "after"}] per entry (before/after: a file's old and new text when its
    content changed, for a diff). In check mode nothing changes and the same is reported.

    Every owner, group and copy_from source is looked up before the first change. A file's
    new content with a validate command goes live only once run_validate(command, path of
    the new content) returned; it raises FilesError to refuse it, which leaves that file
    and the entries after it as they were."""
    attributes, sources = [], []
    for entry in entries:
        try:
            attributes.append(_attributes(entry))
        except FilesError:
            # A user or group that an earlier task of this check-mode run would have made.
            if not check_mode:
                raise
            attributes.append(None)
        sources.append(_source(entry, check_mode))
    results = []
    for entry, wanted, data in zip(entries, attributes, sources):
        path, state = entry["path"], entry["state"]
        result = {"path": path, "changed": []}
        if state == "link":
            result["changed"] = _link(path, entry["target"], check_mode)
            results.append(result)
            continue
        if state == "absent":
            if os.path.isdir(path) and not os.path.islink(path):
                raise FilesError("%s is a directory: an absent entry removes a file or link only" % path)
            if os.path.lexists(path):
                result["changed"].append("removed")
                if not check_mode:
                    os.unlink(path)
            results.append(result)
            continue
        if wanted is None or (state == "file" and data is None):
            result["changed"].append("owner or group" if wanted is None else "content")
            results.append(result)
            continue
        uid, gid, mode = wanted
        exists = os.path.lexists(path)
        if exists and os.path.isdir(path) != (state == "directory"):
            raise FilesError("%s exists and is not a %s" % (path, state))
        if state == "directory":
            if not exists:
                result["changed"].append("created")
                if not check_mode:
                    # Missing parents as mkdir -p makes them; the entry's attributes are the leaf's.
                    os.makedirs(path)
                    _set_attributes(path, uid, gid, 0o755 if mode is None else mode)
                results.append(result)
                continue
        else:
            before = read_bytes(path) if exists else None
            if before != data:
                result["changed"].append("content" if exists else "created")
                result["before"] = before.decode("utf-8", "replace") if before is not None else ""
                result["after"] = data.decode("utf-8", "replace")
                if not check_mode:
                    validate = None
                    if entry.get("validate") is not None:
                        validate = functools.partial(_validated, run_validate, path, entry["validate"])
                    _write_beside(path, data, uid, gid, mode, validate)
                results.append(result)
                continue
        differing = [name for name, differs in sorted(_differences(path, uid, gid, mode).items()) if differs]
        if differing:
            result["changed"] += differing
            if not check_mode:
                _set_attributes(path, uid, gid, mode)
        results.append(result)
    return results
