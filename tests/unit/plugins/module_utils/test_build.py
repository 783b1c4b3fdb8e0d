"""How a release's venv is built: lock kinds, pins, pylock.toml, and each installer's commands."""

import json

import pytest

from ansible_collections.asgi.deploy.plugins.module_utils._build import (
    BuildSpecError, build_plan, has_hashes, is_pylock, lock_pins, pylock_requirements, python_interpreter,
    read_only_mode, release_record, run_build)
from ansible_collections.asgi.deploy.plugins.module_utils._files import checked

H1 = "a" * 64
H2 = "b" * 64
SERVER_LOCK = """anyio==4.16.0 \\
    --hash=sha256:%s \\
    --hash=sha256:%s
    # via watchfiles
gunicorn==27.0.1 \\
    --hash=sha256:%s
uvloop==0.23.0 ; sys_platform != 'win32' \\
    --hash=sha256:%s
""" % (H1, H2, H1, H2)
RELEASE = "/srv/shop/releases/r-1"
WHEEL = RELEASE + "/dist/shop-1.0-py3-none-any.whl"
UV = "/opt/asgi-deploy/tools/uv-0.13.9/bin/uv"


def test_lock_pins_keep_versions_and_markers_and_drop_hashes():
    assert lock_pins(SERVER_LOCK) == "anyio==4.16.0\ngunicorn==27.0.1\nuvloop==0.23.0 ; sys_platform != 'win32'\n"


@pytest.mark.parametrize("text,problem", [
    pytest.param("gunicorn>=23 --hash=sha256:%s\n" % H1, "not pinned with ==", id="range"),
    pytest.param("# nothing\n", "names no package", id="empty"),
])
def test_lock_pins_refuse_what_is_no_lock(text, problem):
    with pytest.raises(BuildSpecError, match=problem):
        lock_pins(text)


@pytest.mark.parametrize("text,hashed", [
    pytest.param(SERVER_LOCK, True, id="uv-export"),
    pytest.param("fastapi==0.115.0 --hash=sha256:%s\n" % H1, True, id="one-line"),
    pytest.param("fastapi==0.115.0\n# --hash=sha256:%s\n" % H1, False, id="hash-in-comment"),
    pytest.param("fastapi>=0.100\nhttpx\n", False, id="plain"),
])
def test_has_hashes(text, hashed):
    assert has_hashes(text) is hashed


@pytest.mark.parametrize("name,pylock", [
    ("pylock.toml", True), ("pylock.prod.toml", True), ("requirements.txt", False), ("mypylock.toml", False),
    (None, False)])
def test_is_pylock(name, pylock):
    assert is_pylock(name) is pylock


PYLOCK = """lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.11"

[[packages]]
name = "anyio"
version = "4.16.0"
sdist = { url = "https://files.example/anyio-4.16.0.tar.gz", hashes = { sha256 = "%s" } }
wheels = [{ url = "https://files.example/anyio-4.16.0-py3-none-any.whl", hashes = { sha256 = "%s" } }]

[[packages]]
name = "uvloop"
version = "0.23.0"
marker = "sys_platform != 'win32'"
wheels = [{ url = "https://files.example/uvloop.whl", hashes = { sha256 = "%s" } }]
""" % (H2, H1, H1)


def test_pylock_becomes_hash_checked_requirements():
    assert pylock_requirements(PYLOCK) == (
        "anyio==4.16.0 \\\n    --hash=sha256:%s \\\n    --hash=sha256:%s\n"
        "uvloop==0.23.0 ; sys_platform != 'win32' \\\n    --hash=sha256:%s\n" % (H1, H2, H1))
    assert has_hashes(pylock_requirements(PYLOCK))


@pytest.mark.parametrize("text,problem", [
    pytest.param("not toml [", "is not TOML", id="syntax"),
    pytest.param('lock-version = "2.0"\n', "is not 1.x", id="version"),
    pytest.param('lock-version = "1.0"\n', "names no package", id="empty"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop"\nversion = "1"\n'
                 'directory = { path = "." }\n', "comes from a directory", id="directory"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop"\nversion = "1"\n'
                 'vcs = { type = "git", url = "https://git.example/shop" }\n', "comes from a vcs", id="vcs"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop"\nversion = "1"\n'
                 'wheels = [{ url = "https://f/shop.whl" }]\n', "no sha256", id="no-hash"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop"\n', "has no version", id="no-version"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop --index-url http://x"\nversion = "1"\n',
                 "is not a package name", id="option-in-name"),
    pytest.param('lock-version = "1.0"\n[[packages]]\nname = "shop"\nversion = "1"\nmarker = "x\\\\n-r /etc/x"\n'
                 'wheels = [{ url = "https://f/shop.whl", hashes = { sha256 = "%s" } }]\n' % H1,
                 "marker that is not one", id="marker-injection"),
])
def test_pylock_refuses_what_cannot_be_pinned(text, problem):
    with pytest.raises(BuildSpecError, match=problem):
        pylock_requirements(text)


def plan(installer="uv", requirements=None, constraints=None, uv_project=False, target=WHEEL, extra=(), shipped=()):
    return build_plan(installer, UV, "/usr/bin/python3", RELEASE, SERVER_LOCK, target, "asgi-build",
                      requirements=requirements, constraints=constraints, extra_args=extra, uv_project=uv_project,
                      shipped=shipped)


UV_INSTALL = [UV, "pip", "install", "--python", RELEASE + "/venv/bin/python"]
PIP_INSTALL = [RELEASE + "/venv/bin/pip", "install", "--no-input", "--disable-pip-version-check"]
SERVER = ["--require-hashes", "-r", RELEASE + "/dist/server.lock"]
PINS = ["-c", RELEASE + "/dist/server-pins.txt"]
HASHED = "fastapi==0.115.0 --hash=sha256:%s\n" % H1


@pytest.mark.parametrize("installer,install,create,check", [
    ("uv", UV_INSTALL, [UV, "venv", "--clear", "--python", "/usr/bin/python3", RELEASE + "/venv"],
     [UV, "pip", "check", "--python", RELEASE + "/venv/bin/python"]),
    ("pip", PIP_INSTALL, ["/usr/bin/python3", "-m", "venv", "--clear", RELEASE + "/venv"],
     [RELEASE + "/venv/bin/pip", "check"]),
])
@pytest.mark.parametrize("case,kwargs,steps,locked", [
    ("wheel", {}, lambda i: [i + SERVER, i + PINS + [WHEEL]], False),
    ("plain-requirements", {"requirements": ("requirements.txt", "fastapi\n"), "constraints": "c.txt"},
     lambda i: [i + SERVER, i + PINS + ["-c", RELEASE + "/dist/c.txt", "-r", RELEASE + "/dist/requirements.txt", WHEEL]],
     False),
    ("hash-locked", {"requirements": ("requirements.lock", HASHED)},
     lambda i: [i + SERVER + ["-r", RELEASE + "/dist/requirements.lock"], i + ["--no-deps", WHEEL]], True),
    ("pylock", {"requirements": ("pylock.toml", PYLOCK)},
     lambda i: [i + SERVER + ["-r", RELEASE + "/dist/app.lock"], i + ["--no-deps", WHEEL]], True),
    ("uv-project", {"uv_project": True, "target": RELEASE + "/src"},
     lambda i: [i + SERVER + ["-r", RELEASE + "/uv-export.txt"], i + ["--no-deps", RELEASE + "/src"]], True),
])
def test_both_installers_install_the_same_inputs_the_same_way(installer, install, create, check, case, kwargs, steps,
                                                              locked):
    built = plan(installer, **kwargs)
    argvs = [step["argv"] for step in built["steps"] if step["step"] != "export uv.lock"]
    assert argvs == [create] + steps(install) + [check]
    assert built["locked"] is locked
    assert built["files"]["server.lock"] == SERVER_LOCK
    assert built["files"]["server-pins.txt"] == lock_pins(SERVER_LOCK)
    assert ("app.lock" in built["files"]) is (case == "pylock")


@pytest.mark.parametrize("kwargs, names", [
    ({}, ["server-pins.txt", "server.lock"]),
    ({"requirements": ("pylock.toml", PYLOCK)}, ["app.lock", "server-pins.txt", "server.lock"]),
])
def test_the_layout_makes_the_build_users_release_directory_and_roots_dist_with_the_files(kwargs, names):
    built = plan(**kwargs)
    layout = built["layout"]
    assert [(entry["path"], entry.get("state", "file"), entry["owner"], entry["mode"]) for entry in layout] == [
        (RELEASE, "directory", "asgi-build", "0755"), (RELEASE + "/dist", "directory", "root", "0755")] + [
        (RELEASE + "/dist/" + name, "file", "root", "0644") for name in names]
    assert [entry["content"] for entry in layout[2:]] == [built["files"][name] for name in names]
    checked(layout)


def test_the_shipped_files_are_uploaded_to_dist_under_their_names_after_the_locks():
    shipped = ("/ctl/dist/shop-1.0-py3-none-any.whl", "/ctl/requirements.txt")
    layout = plan(shipped=shipped)["layout"]
    assert layout[-2:] == [
        {"path": RELEASE + "/dist/shop-1.0-py3-none-any.whl", "upload": shipped[0], "owner": "root", "group": "root",
         "mode": "0644"},
        {"path": RELEASE + "/dist/requirements.txt", "upload": shipped[1], "owner": "root", "group": "root",
         "mode": "0644"}]
    # As the module gets them: the action plugin sends each upload and names its copy on the host.
    checked([dict((("copy_from" if key == "upload" else key), value) for key, value in entry.items())
             for entry in layout])


@pytest.mark.parametrize("shipped, clash", [
    (("/a/requirements.txt", "/b/requirements.txt"), "requirements.txt"),
    (("/ctl/server.lock",), "server.lock"),
    (("/ctl/pins/server-pins.txt",), "server-pins.txt"),
])
def test_shipped_files_with_one_name_in_dist_are_refused(shipped, clash):
    with pytest.raises(BuildSpecError, match="names of their own.*" + clash):
        plan(shipped=shipped)


def test_a_uv_project_exports_its_lock_first_as_the_build_user():
    first = plan(uv_project=True, target=RELEASE + "/src")["steps"][0]
    assert first == {"step": "export uv.lock", "argv": [
        UV, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--format", "requirements-txt",
        "--project", RELEASE + "/src", "--output-file", RELEASE + "/uv-export.txt"]}


def test_extra_arguments_go_to_every_install_and_nothing_else():
    steps = plan("pip", extra=["--proxy", "http://proxy:3128"])["steps"]
    assert [step["argv"][4:6] == ["--proxy", "http://proxy:3128"] for step in steps] == [False, True, True, False]


@pytest.mark.parametrize("kwargs,problem", [
    pytest.param({"installer": "conda"}, "is not one of uv, pip", id="installer"),
    pytest.param({"uv_project": True, "requirements": ("r.txt", "x\n")}, "leave them out", id="uv-project-and-requirements"),
])
def test_impossible_builds_fail(kwargs, problem):
    with pytest.raises(BuildSpecError, match=problem):
        plan(**kwargs)


@pytest.mark.parametrize("spec,expected", [
    ("python3", ("/usr/bin/python3", [])),
    ("3.13", ("/usr/bin/python3.13", ["python3.13", "python3.13-venv"])),
    ("python3.11", ("/usr/bin/python3.11", ["python3.11", "python3.11-venv"])),
    ("/opt/python/3.12/bin/python3", ("/opt/python/3.12/bin/python3", [])),
])
def test_python_interpreter(spec, expected):
    assert python_interpreter(spec) == expected


@pytest.mark.parametrize("spec", ["2.7", "python", "3", "bin/python3", "/opt/../bin/python3", "/usr/bin/python3 -I",
                                  3.11, None])
def test_python_interpreter_refuses_what_is_none(spec):
    with pytest.raises(BuildSpecError, match="is not a Python version"):
        python_interpreter(spec)


STEPS = [{"step": "venv", "argv": ["venv"]}, {"step": "server packages", "argv": ["server"]},
         {"step": "app", "argv": ["app"]}]


def runner(fails):
    """A run() that fails the steps in `fails` (online) or `fails_offline` names, recording calls."""
    calls = []

    def run(argv):
        calls.append(argv)
        offline = "--setenv=UV_OFFLINE=1" in argv
        failing = fails["offline" if offline else "online"]
        if argv[-1] in failing:
            return 1, "", "%s failed %s" % (argv[-1], "offline" if offline else "online")
        return 0, "", ""
    return run, calls


@pytest.mark.parametrize("case,fails,fallback,ok,offline,failed_step,error,runs", [
    ("built", {"online": [], "offline": []}, True, True, False, None, None, 3),
    ("first-failure-ends-it", {"online": ["server"], "offline": ["server"]}, False, False, False,
     "server packages", "server failed online", 2),
    ("index-unreachable-cache-holds-it", {"online": ["server"], "offline": []}, True, True, True, None, None, 5),
    ("both-fail-show-the-index-error", {"online": ["app"], "offline": ["server"]}, True, False, False,
     "app", "app failed online", 5),
    ("pip-has-no-fallback", {"online": ["app"], "offline": []}, False, False, False, "app", "app failed online", 3),
])
def test_run_build(case, fails, fallback, ok, offline, failed_step, error, runs):
    run, calls = runner(fails)
    result = run_build(STEPS, ["systemd-run"], run, offline_fallback=fallback)
    assert (result["ok"], result["offline"], result["failed_step"], result["error"]) == (ok, offline, failed_step, error)
    assert len(calls) == runs
    assert all(call[0] == "systemd-run" for call in calls)


def test_a_failed_step_that_never_reaches_the_index_is_not_run_again_from_the_cache():
    run, calls = runner({"online": ["collectstatic"], "offline": []})
    steps = STEPS + [{"step": "build command", "argv": ["collectstatic"], "index": False}]
    result = run_build(steps, ["systemd-run"], run, offline_fallback=True)
    assert (result["ok"], result["failed_step"], result["error"]) == (False, "build command", "collectstatic failed online")
    assert len(calls) == 4


@pytest.mark.parametrize("mode, is_directory, expected", [
    (0o40700, True, 0o755),
    (0o40775, True, 0o755),
    (0o100600, False, 0o644),
    (0o100664, False, 0o644),
    (0o100700, False, 0o755),
    (0o100711, False, 0o755),
    # Executable by someone: executable by all, as chmod's X reads it.
    (0o100604, False, 0o644),
    (0o100641, False, 0o755),
    # Set-id and sticky bits go.
    (0o104755, False, 0o755),
    (0o43777, True, 0o755),
])
def test_a_built_release_is_readable_by_all_and_writable_by_root_alone(mode, is_directory, expected):
    assert read_only_mode(mode, is_directory) == expected


@pytest.mark.parametrize("offline", [False, True])
def test_the_release_record_says_whether_the_build_came_from_the_cache_alone(offline):
    info = {"release": "r-0123456789ab", "app": "hello", "server_packages": ["gunicorn==27.0.1"]}
    text = release_record(info, offline)
    assert json.loads(text) == dict(info, built_from_cache=offline)
    # Keys in order, one per line, as a reader diffs two releases' records.
    assert text.startswith('{\n    "app": "hello",\n') and text.endswith("}\n")
