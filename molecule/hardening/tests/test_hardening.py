"""The app's service in systemd's sandbox: its exposure score, what it and its user may
write, modes of the files holding secrets, that it still serves HTTP and WebSocket through
nginx, and that a secret never shows in a converge's output, even at -vvv."""

import copy
import json
import os
import re
import secrets
import shlex
import subprocess

import pytest
import yaml

from asgi_host import live_unit, unit_property, wait_until
from asgi_probe import https_json, playbook_recap, websocket_echo

SERVER_NAME = "hello.example.test"
# systemd-analyze rates a plain service 9.6 ("UNSAFE"); 2.0 or less is "OK".
MAX_EXPOSURE = 2.0
# The private index's password (molecule.yml) and the lines of files/hello-secrets.yml.
INDEX_PASSWORD = "idx-pw-5c2e9a71d4"
FILE_NEEDLES = ["file-canary-b81e", "file-line2-b81e"]


def dropin(host):
    """The live slot's own drop-in: its sandbox and stop timeout."""
    return "/etc/systemd/system/%s.d/50-asgi-deploy.conf" % live_unit(host)


def test_exposure_score_is_low(host):
    unit = live_unit(host)
    report = host.run("systemd-analyze security --no-pager %s" % unit)
    assert report.rc == 0, report.stderr
    score = float(re.search(r"Overall exposure level for \S+: ([0-9.]+)", report.stdout).group(1))
    print("\nsystemd-analyze security %s: exposure %.1f (at most %.1f)" % (unit, score, MAX_EXPOSURE))
    print("\n".join(line for line in report.stdout.splitlines() if line.startswith("✗")))
    assert score <= MAX_EXPOSURE


def test_sandbox_comes_from_the_drop_in(host):
    unit = live_unit(host)
    assert dropin(host) in unit_property(host, unit, "DropInPaths")
    assert "ProtectSystem" not in host.file("/etc/systemd/system/asgi-hello@.service").content_string


@pytest.mark.parametrize("name,value", [
    ("ProtectSystem", "strict"),
    ("ProtectHome", "yes"),
    ("PrivateTmp", "yes"),
    ("PrivateDevices", "yes"),
    ("NoNewPrivileges", "yes"),
    ("CapabilityBoundingSet", ""),
    ("AmbientCapabilities", ""),
    ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
    ("SystemCallArchitectures", "native"),
    ("ProtectProc", "invisible"),
    ("UMask", "0027"),
    ("ReadWritePaths", "/srv/hello/shared /var/lib/hello-uploads"),
    # The scenario's per-app override turns the opt-in on.
    ("MemoryDenyWriteExecute", "yes"),
])
def test_service_runs_with_the_sandbox(host, name, value):
    # systemd may list the items of a value in its own order.
    assert sorted(unit_property(host, live_unit(host), name).split()) == sorted(value.split())


def _in_sandbox(host, command, user="root"):
    """Run command in a transient service with the directives of the app's drop-in. As
    root (without capabilities) only the sandbox's read-only mounts stop a write to the
    root-owned release; as the app's user, its own directory is writable."""
    # The [Service] section's directives: the sandbox (its [Unit] section holds OnFailure=).
    service = host.file(dropin(host)).content_string.split("[Service]", 1)[1].split("\n[", 1)[0]
    directives = [line for line in service.splitlines() if re.match(r"^[A-Z][A-Za-z]*=", line)]
    properties = " ".join("-p %s" % shlex.quote(directive) for directive in directives)
    return host.run("systemd-run --quiet --wait --pipe --collect --uid=%s %s -- %s"
                    % (user, properties, command))


@pytest.mark.parametrize("path", ["/srv/hello/current", "/srv/hello/current/venv/bin",
                                  "/etc/asgi-deploy/hello", "/etc", "/usr/local", "/run/lock"])
def test_sandbox_file_system_is_read_only(host, path):
    result = _in_sandbox(host, "touch %s/sandbox-probe" % path)
    assert result.rc != 0
    assert "Read-only file system" in result.stderr


@pytest.mark.parametrize("path,user", [("/srv/hello/shared", "hello"), ("/var/lib/hello-uploads", "root")])
def test_sandbox_writes_its_declared_paths(host, path, user):
    try:
        assert _in_sandbox(host, "touch %s/sandbox-probe" % path, user).rc == 0
    finally:
        host.run("rm -f %s/sandbox-probe" % path)


def test_sandbox_has_a_private_tmp_and_only_pseudo_devices(host):
    # A file in the host's /tmp and a device node in its /dev: the sandbox sees neither.
    host.check_output("touch /tmp/host-only && mknod /dev/host-only c 1 3")
    try:
        assert _in_sandbox(host, "test -e /tmp/host-only").rc == 1
        assert _in_sandbox(host, "test -e /dev/host-only").rc == 1
    finally:
        host.run("rm -f /tmp/host-only /dev/host-only")
    assert _in_sandbox(host, "test -c /dev/null").rc == 0
    # gunicorn's worker heartbeat files (worker_tmp_dir) go to /dev/shm.
    try:
        assert _in_sandbox(host, "touch /dev/shm/heartbeat-probe", "hello").rc == 0
    finally:
        host.run("rm -f /dev/shm/heartbeat-probe")


@pytest.mark.parametrize("path", ["/srv/hello/current/x", "/srv/hello/current/venv/x",
                                  "/srv/hello/current/venv/bin/x", "/srv/hello/releases/x",
                                  "/srv/hello/x", "/etc/asgi-deploy/hello/x"])
def test_app_user_cannot_write_code_or_config(host, path):
    result = host.run("runuser -u hello -- touch %s" % path)
    assert result.rc != 0
    assert "Permission denied" in result.stderr


def test_app_user_writes_only_its_shared_directory(host):
    # (find cannot enter the builds' directory, the build user's: not the app's either.)
    writable = host.run("runuser -u hello -- find /srv/hello /etc/asgi-deploy -writable").stdout
    assert writable.split() == ["/srv/hello/shared"]
    assert host.run("runuser -u hello -- touch /srv/hello/shared/probe").rc == 0
    host.run("rm -f /srv/hello/shared/probe")


def test_release_and_venv_owned_by_root(host):
    release = host.check_output("readlink -f /srv/hello/current")
    assert host.check_output("find %s ! -user root" % release) == ""
    assert host.check_output("find %s -perm /022 ! -type l" % release) == ""


@pytest.mark.parametrize("path,owner,group,mode", [
    ("/etc/asgi-deploy/hello/slots/a/env", "root", "hello", 0o640),
    ("/etc/asgi-deploy/hello/slots/a/gunicorn.conf.py", "root", "hello", 0o640),
    ("/etc/asgi-deploy/hello/slots/a/state.json", "root", "root", 0o600),
    ("/etc/asgi-deploy/hello/staged", "root", "root", 0o700),
    ("/etc/asgi-deploy/hello/staged/env", "root", "root", 0o600),
    ("/etc/ssl/asgi-deploy/private", "root", "root", 0o700),
    ("/etc/ssl/asgi-deploy/private/hello.key", "root", "root", 0o600),
])
def test_secret_files_are_closed(host, path, owner, group, mode):
    secret = host.file(path)
    assert (secret.user, secret.group, secret.mode) == (owner, group, mode)


def test_app_user_cannot_read_the_tls_key(host):
    assert host.run("runuser -u hello -- cat /etc/ssl/asgi-deploy/private/hello.key").rc != 0


def test_https_and_websocket_through_nginx(https_port, ca_pem):
    assert https_json(SERVER_NAME, https_port, ca_pem)["app"] == "hello"
    messages = ["sandboxed", "x" * 3000]
    assert websocket_echo(SERVER_NAME, https_port, ca_pem, messages) == messages


def tricky_canary():
    """A fresh secret with what breaks naive quoting: a template, printf and shell syntax,
    both quotes, a backslash and a second line. Its two tokens are what is searched for."""
    token = secrets.token_hex(12)
    value = "canary-%s {{ nope }} 100%%d $HOME `id` \"dq\" 'sq' back\\slash\nline2-%s" % (token, token)
    return value, ["canary-" + token, "line2-" + token]


def process_environment(host, unit, name):
    """The value of one variable in the environment of a unit's main process."""
    pid = unit_property(host, unit, "MainPID")
    return host.check_output(
        "python3 -c 'import sys; env = dict(item.split(b\"=\", 1) for item in open(\"/proc/%s/environ\", \"rb\")"
        ".read().split(b\"\\0\") if item); sys.stdout.write(env[b\"%s\"].decode().encode(\"unicode_escape\").decode())'"
        % (pid, name))


def world_readable_files_holding(host, needles):
    pattern = "/tmp/asgi-test-needles"
    host.run("printf '%%s\\n' %s > %s" % (" ".join(shlex.quote(needle) for needle in needles), pattern))
    found = host.run(
        "find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path %s \\) -prune -o -type f -perm -0004 "
        "-print0 | xargs -0 grep -lF -f %s 2>/dev/null; rm -f %s" % (pattern, pattern, pattern))
    return found.stdout.split()


def literal_secret_inventory(host, directory, literal, secret_file, release):
    """An inventory beside the scenario's that gives the app a secret written literally in
    its group_vars, tagged !unsafe as the docs say, a secret_env_file and a new release (so
    the play builds, with the index credentials)."""
    apps = copy.deepcopy(host.ansible.get_variables()["asgi_apps"])
    apps[0]["secret_env"]["HELLO_LITERAL"] = "LITERAL-PLACEHOLDER"
    apps[0]["secret_env_file"] = str(secret_file)
    apps[0]["release"] = release
    text = yaml.safe_dump({"asgi_apps": apps}, default_flow_style=False)
    # A JSON string is a YAML double-quoted string.
    text = text.replace("LITERAL-PLACEHOLDER", "!unsafe " + json.dumps(literal))
    (directory / "group_vars").mkdir(parents=True)
    (directory / "group_vars" / "asgi.yml").write_text(text)
    name = host.ansible.get_variables()["inventory_hostname"]
    (directory / "hosts.yml").write_text(yaml.safe_dump({"asgi": {"hosts": {name: None}}}))
    return str(directory)


def vaulted_secret_file(directory, variables):
    """A secret_env_file encrypted with ansible-vault, and its password file."""
    password = directory / "vault-password"
    password.write_text(secrets.token_hex(16))
    secret_file = directory / "hello-secrets.yml"
    secret_file.write_text(yaml.safe_dump(variables, default_style='"'))
    subprocess.run(["ansible-vault", "encrypt", "--vault-password-file", str(password), str(secret_file)],
                   check=True, capture_output=True)
    return secret_file, password


def lines_holding(output, needles):
    """The lines of output that hold a needle, the needle masked (for the failure message)."""
    found = []
    for line in output.splitlines():
        for needle in needles:
            if needle in line:
                found.append(line.replace(needle, "<needle>")[:300])
    return found


def test_secret_never_in_output_even_at_vvv(host, monkeypatch, tmp_path, https_port, ca_pem):
    """Fresh secrets from a lookup, written literally in group_vars (!unsafe) and in a
    vaulted secret_env_file, deployed at -vvv with --diff together with a new release
    built from the private index: each must reach the app exactly, and neither they nor
    the index's password may show in any output line, the journal or a file every user
    can read."""
    canary, needles = tricky_canary()
    literal, literal_needles = tricky_canary()
    from_file, file_needles = tricky_canary()
    monkeypatch.setenv("ASGI_CANARY_SECRET", canary)
    secret_file, vault_password = vaulted_secret_file(tmp_path, {"HELLO_FILE_SECRET": from_file})
    inventory = literal_secret_inventory(host, tmp_path / "inventory", literal, secret_file,
                                         "vvv-" + secrets.token_hex(4))
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    code, output = playbook_recap(playbook, "-i", inventory, "--vault-password-file", str(vault_password),
                                  "-vvv", "--diff")
    assert code == 0, output[-3000:]
    assert "ESTABLISH DOCKER CONNECTION" in output  # really -vvv
    assert "Build the release's venv and mark it as built, as the build user in a sandbox" in output  # really built
    needles = needles + literal_needles + file_needles + [INDEX_PASSWORD]
    assert lines_holding(output, needles) == []
    journal = host.check_output("journalctl --no-pager -o cat")
    assert [needle for needle in needles if needle in journal] == []
    assert world_readable_files_holding(host, needles) == []
    # The secrets changed, so the app restarted: it serves with them, still sandboxed.
    assert wait_until(lambda: https_json(SERVER_NAME, https_port, ca_pem)["app"] == "hello", 30) is not None
    unit = live_unit(host)
    for name, value in [("HELLO_TOKEN", canary), ("HELLO_LITERAL", literal), ("HELLO_FILE_SECRET", from_file)]:
        assert process_environment(host, unit, name) == value.encode("unicode_escape").decode(), name
    assert unit_property(host, unit, "ProtectSystem") == "strict"


def test_a_failed_release_shows_its_output_without_the_secret(host, monkeypatch, tmp_path):
    """A pre-activate command that prints the app's secret and fails: the play fails with
    the command's output, the secret redacted."""
    canary, needles = tricky_canary()
    monkeypatch.setenv("ASGI_CANARY_SECRET", canary)
    apps = copy.deepcopy(host.ansible.get_variables()["asgi_apps"])
    apps[0]["pre_activate"] = 'echo "the token is $HELLO_TOKEN, the file says $HELLO_FILE_SECRET" >&2; exit 3'
    extra = tmp_path / "failing.json"
    extra.write_text(json.dumps({"asgi_apps": apps}))
    playbook = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    code, output = playbook_recap(playbook, "-vvv", "-e", "@%s" % extra)
    assert code != 0
    assert "was not activated" in output and "the token is ********" in output, output[-3000:]
    # The secret_env_file's value (a line of it each) is redacted too.
    for needle in needles + FILE_NEEDLES:
        assert needle not in output
    # Put the app back as the inventory has it, with a fresh secret.
    monkeypatch.setenv("ASGI_CANARY_SECRET", tricky_canary()[0])
    code, output = playbook_recap(playbook)
    assert code == 0, output[-3000:]




def test_releases_are_root_owned_and_read_only(host):
    """Built by the build user, then handed to root: nobody else may change the code."""
    loose = host.check_output(
        "find /srv/hello/releases /srv/hello/workdir \\( ! -user root -o ! -group root -o -perm /022 \\) "
        "! -type l -print | head -20")
    assert loose == ""
    build_user = host.user("asgi-build")
    assert build_user.exists and build_user.shell == "/usr/sbin/nologin"
    assert host.check_output("find /srv /etc/asgi-deploy -user asgi-build ! -type l | head") == ""


def test_the_app_user_can_write_nothing_on_its_import_path(host):
    """Not the release, nor the working directory gunicorn puts first on sys.path."""
    cwd = unit_property(host, live_unit(host), "WorkingDirectory")
    assert cwd == "/srv/hello/workdir"
    paths = host.check_output(
        "cd %s && runuser -u hello -- env PYTHONSAFEPATH=1 /srv/hello/current/venv/bin/python -c "
        "'import sys; print(\"\\n\".join(p for p in sys.path if p))'" % cwd).splitlines()
    assert any(path.endswith("site-packages") for path in paths)
    # No directory or file below any of them either (a planted module or .pth file).
    existing = [path for path in paths + [cwd] if host.file(path).exists]
    writable = host.run("runuser -u hello -- find %s -writable" % " ".join(shlex.quote(path) for path in existing))
    assert writable.stdout == ""
