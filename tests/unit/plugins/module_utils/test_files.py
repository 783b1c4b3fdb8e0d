# Copyright: (c) 2026, asgi.deploy contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""asgi.deploy.files: entries checked before anything changes, then only what differs
changed, a file's content moved over it whole; check mode changes nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import grp
import os
import pwd
import stat

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._files import FilesError, apply, checked, found

USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def run(entries, check_mode=False):
    return [(result["path"], result["changed"]) for result in apply(checked(entries), check_mode)]


@pytest.mark.parametrize("entry, message", [
    ({"path": "relative/x", "content": ""}, "absolute"),
    ({"path": "/etc/../x", "content": ""}, "normalized"),
    ({"path": "/x/", "state": "directory"}, "normalized"),
    ({"path": "/x", "state": "socket"}, "state must be one of directory, file, link, absent"),
    ({"path": "/x", "state": "absent", "content": ""}, "absent entry neither"),
    ({"path": "/x", "state": "absent", "mode": "0644"}, "a link or absent entry has no owner, group or mode"),
    ({"path": "/x"}, "a file takes one of content and copy_from"),
    ({"path": "/x", "content": "a", "copy_from": "/y"}, "a file takes one of content and copy_from"),
    ({"path": "/x", "copy_from": "y"}, "copy_from must be an absolute path"),
    ({"path": "/x", "state": "directory", "content": "a"}, "a directory, link or absent entry neither"),
    ({"path": "/x", "state": "link", "target": "y", "copy_from": "/y"}, "a directory, link or absent entry neither"),
    ({"path": "/x", "state": "link"}, "a link takes a target"),
    ({"path": "/x", "state": "directory", "target": "y"}, "a file or directory none"),
    ({"path": "/x", "state": "link", "target": "y", "mode": "0644"}, "a link or absent entry has no owner, group or mode"),
    ({"path": "/x", "content": "", "mode": "644x"}, "mode must be octal"),
    ({"path": "/x", "content": "", "mode": "17777"}, "mode must be octal"),
    ({"path": "/x", "content": "", "colour": "blue"}, "unknown keys colour"),
    ({"path": "/x", "state": "directory", "validate": "check %s"}, "validate is a file's"),
    ({"path": "/x", "content": "", "validate": "check"}, "a command with %s"),
])
def test_a_bad_entry_is_refused_naming_it(entry, message):
    with pytest.raises(FilesError, match=message):
        checked([{"path": "/ok", "content": ""}, entry])


def test_a_bad_entry_anywhere_changes_nothing(tmp_path):
    good = {"path": str(tmp_path / "a"), "content": "a\n"}
    with pytest.raises(FilesError, match=r"files\[1\]"):
        apply(checked([good, {"path": str(tmp_path / "b")}]))
    assert not (tmp_path / "a").exists()


def test_directories_and_files_are_made_then_left_alone(tmp_path):
    directory, inside = tmp_path / "conf", tmp_path / "conf" / "app.conf"
    entries = [
        {"path": str(directory), "state": "directory", "owner": USER, "group": GROUP, "mode": "0750"},
        {"path": str(inside), "content": "x = 1\n", "owner": USER, "group": GROUP, "mode": "0640"},
    ]
    assert run(entries) == [(str(directory), ["created"]), (str(inside), ["created"])]
    assert mode_of(directory) == 0o750 and mode_of(inside) == 0o640
    assert inside.read_text() == "x = 1\n"
    assert run(entries) == [(str(directory), []), (str(inside), [])]


@pytest.mark.parametrize("change, expected", [
    ({"content": "x = 2\n"}, ["content"]),
    ({"mode": "0600"}, ["mode"]),
    ({"content": "x = 2\n", "mode": "0600"}, ["content"]),
])
def test_only_what_differs_is_changed(tmp_path, change, expected):
    path = tmp_path / "app.conf"
    path.write_text("x = 1\n")
    os.chmod(str(path), 0o644)
    entry = dict({"path": str(path), "content": "x = 1\n", "mode": "0644"}, **change)
    assert run([entry]) == [(str(path), expected)]
    assert path.read_text() == entry["content"] and mode_of(path) == int(entry["mode"], 8)
    assert run([entry]) == [(str(path), [])]


def test_new_content_replaces_the_file_whole_and_keeps_what_the_entry_leaves(tmp_path):
    path = tmp_path / "app.conf"
    path.write_text("old\n")
    os.chmod(str(path), 0o600)
    inode = os.stat(str(path)).st_ino
    result = apply(checked([{"path": str(path), "content": "new\n"}]))
    # A new file moved over the old one (a reader holds the old or the new), its mode kept.
    assert os.stat(str(path)).st_ino != inode
    assert mode_of(path) == 0o600
    assert (result[0]["before"], result[0]["after"]) == ("old\n", "new\n")
    assert os.listdir(str(tmp_path)) == ["app.conf"]


def test_check_mode_reports_and_changes_nothing(tmp_path):
    path = tmp_path / "app.conf"
    path.write_text("old\n")
    entries = [{"path": str(tmp_path / "new"), "state": "directory"},
               {"path": str(tmp_path / "new" / "file"), "content": "a"},
               {"path": str(path), "content": "new\n"},
               {"path": str(tmp_path / "owned"), "content": "", "owner": "no-such-user-here"}]
    assert run(entries, check_mode=True) == [
        (str(tmp_path / "new"), ["created"]), (str(tmp_path / "new" / "file"), ["created"]),
        (str(path), ["content"]), (str(tmp_path / "owned"), ["owner or group"])]
    assert sorted(os.listdir(str(tmp_path))) == ["app.conf"] and path.read_text() == "old\n"


def test_an_owner_that_does_not_exist_fails_naming_it_before_any_change(tmp_path):
    with pytest.raises(FilesError, match="user 'no-such-user-here' does not exist"):
        apply(checked([{"path": str(tmp_path / "first"), "content": ""},
                       {"path": str(tmp_path / "x"), "content": "", "owner": "no-such-user-here"}]))
    assert os.listdir(str(tmp_path)) == []


def test_a_directory_where_a_file_belongs_is_refused(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(FilesError, match="is not a file"):
        apply(checked([{"path": str(tmp_path / "x"), "content": ""}]))


def test_a_directory_is_made_with_its_missing_parents(tmp_path):
    leaf = tmp_path / "srv" / "apps" / "shop"
    assert run([{"path": str(leaf), "state": "directory", "mode": "0700"}]) == [(str(leaf), ["created"])]
    assert mode_of(leaf) == 0o700 and (tmp_path / "srv" / "apps").is_dir()


class Checker(object):
    """Stands in for the module's command runner: records what it saw, refuses a content
    that holds "bad"."""

    def __init__(self):
        self.seen = []

    def __call__(self, command, new):
        with open(new) as handle:
            content = handle.read()
        self.seen.append((command % new, os.path.dirname(new), content))
        if "bad" in content:
            raise FilesError("check exited 1: line 1 is bad")


def validated(entries, checker):
    return [(result["path"], result["changed"]) for result in apply(checked(entries), run_validate=checker)]


def test_validate_sees_the_new_content_beside_the_file_before_it_goes_live(tmp_path):
    path = str(tmp_path / "nginx.conf")
    checker = Checker()
    assert validated([{"path": path, "content": "good\n", "validate": "check %s " + path}], checker) == [
        (path, ["created"])]
    (command, directory, content), = checker.seen
    assert command.startswith("check " + str(tmp_path) + "/.nginx.conf.") and command.endswith(" " + path)
    assert (directory, content) == (str(tmp_path), "good\n")
    # Unchanged content is not checked again.
    assert validated([{"path": path, "content": "good\n", "validate": "check %s"}], checker) == [(path, [])]
    assert len(checker.seen) == 1


def test_a_refused_content_leaves_the_file_and_what_follows_it_as_they_were(tmp_path):
    first, second, third = (str(tmp_path / name) for name in ("a.conf", "b.conf", "c.conf"))
    for path in (first, second):
        with open(path, "w") as handle:
            handle.write("old\n")
    entries = [{"path": first, "content": "new\n", "validate": "check %s"},
               {"path": second, "content": "bad\n", "validate": "check %s"},
               {"path": third, "content": "new\n"}]
    with pytest.raises(FilesError, match="b.conf: the new content was refused, nothing of it went live: check exited 1"):
        validated(entries, Checker())
    assert [open(path).read() for path in (first, second)] == ["new\n", "old\n"]
    assert not os.path.exists(third)
    assert sorted(os.listdir(str(tmp_path))) == ["a.conf", "b.conf"]


def test_check_mode_runs_no_validate(tmp_path):
    checker = Checker()
    entry = {"path": str(tmp_path / "x.conf"), "content": "bad\n", "validate": "check %s"}
    assert [result["changed"] for result in apply(checked([entry]), check_mode=True, run_validate=checker)] == [
        ["created"]]
    assert checker.seen == [] and os.listdir(str(tmp_path)) == []


def test_copy_from_takes_the_bytes_of_a_file_on_the_host(tmp_path):
    staged, live = tmp_path / "staged", tmp_path / "live"
    staged.write_bytes(b"SECRET=a{b}\n\xff")
    entry = {"path": str(live), "copy_from": str(staged), "mode": "0600"}
    assert run([entry]) == [(str(live), ["created"])]
    assert live.read_bytes() == b"SECRET=a{b}\n\xff" and mode_of(live) == 0o600
    assert run([entry]) == [(str(live), [])]
    staged.write_bytes(b"SECRET=c\n")
    assert run([entry]) == [(str(live), ["content"])]
    assert live.read_bytes() == b"SECRET=c\n"


def test_a_missing_copy_from_fails_before_any_change_and_is_a_change_in_check_mode(tmp_path):
    entries = [{"path": str(tmp_path / "first"), "content": ""},
               {"path": str(tmp_path / "x"), "copy_from": str(tmp_path / "missing")}]
    assert run(entries, check_mode=True) == [(str(tmp_path / "first"), ["created"]), (str(tmp_path / "x"), ["content"])]
    with pytest.raises(FilesError, match="x: copy_from .*missing is not a readable file on the host"):
        apply(checked(entries))
    assert os.listdir(str(tmp_path)) == []


def test_a_link_is_made_repointed_in_one_rename_and_then_left_alone(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    link = tmp_path / "current"
    entry = {"path": str(link), "state": "link", "target": "a"}
    assert run([entry]) == [(str(link), ["created"])]
    assert os.readlink(str(link)) == "a"
    assert run([entry]) == [(str(link), [])]
    assert run([dict(entry, target="b")], check_mode=True) == [(str(link), ["target"])]
    assert os.readlink(str(link)) == "a"
    assert run([dict(entry, target="b")]) == [(str(link), ["target"])]
    assert os.readlink(str(link)) == "b" and sorted(os.listdir(str(tmp_path))) == ["a", "b", "current"]


def test_a_link_replaces_a_file_but_never_a_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    assert run([{"path": str(tmp_path / "file"), "state": "link", "target": "/dev/null"}]) == [
        (str(tmp_path / "file"), ["target"])]
    assert os.readlink(str(tmp_path / "file")) == "/dev/null"
    (tmp_path / "dir").mkdir()
    with pytest.raises(FilesError, match="dir exists and is not a link"):
        apply(checked([{"path": str(tmp_path / "dir"), "state": "link", "target": "/dev/null"}]))
    assert (tmp_path / "dir").is_dir() and not (tmp_path / "dir").is_symlink()


def test_an_absent_entry_removes_a_file_or_link_and_never_a_directory(tmp_path):
    (tmp_path / "default").symlink_to("/etc/nginx/sites-available/default")
    (tmp_path / "old.conf").write_text("x")
    entries = [{"path": str(tmp_path / name), "state": "absent"} for name in ("default", "old.conf", "never")]
    assert run(entries, check_mode=True) == [(str(tmp_path / "default"), ["removed"]),
                                             (str(tmp_path / "old.conf"), ["removed"]), (str(tmp_path / "never"), [])]
    assert sorted(os.listdir(str(tmp_path))) == ["default", "old.conf"]
    assert [changed for _path, changed in run(entries)] == [["removed"], ["removed"], []]
    assert os.listdir(str(tmp_path)) == []
    (tmp_path / "dir").mkdir()
    with pytest.raises(FilesError, match="is a directory: an absent entry removes a file or link only"):
        apply(checked([{"path": str(tmp_path / "dir"), "state": "absent"}]))
    assert (tmp_path / "dir").is_dir()


def test_found_names_the_paths_that_exist_in_order(tmp_path):
    (tmp_path / "built").write_text("{}")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    paths = [str(tmp_path / name) for name in ("missing", "built", "dangling")] + [str(tmp_path)]
    assert found(paths) == [str(tmp_path / "built"), str(tmp_path)]


def test_found_refuses_a_relative_path():
    with pytest.raises(FilesError, match="look_for: releases/r-1/release.json is not an absolute path"):
        found(["/srv", "releases/r-1/release.json"])
