"""A release is built by the build user in its sandbox, from a private index whose
credentials stay out of every place an operator or another user could read them. The
build probe (a requirement from that index, an sdist whose backend runs in the build)
recorded who built it and what it could write."""

import json
import shlex

import pytest

INDEX_PASSWORD = "idx-pw-5c2e9a71d4"
INDEX = "http://127.0.0.1:8081/simple/asgi-deploy-build-probe/"
SDIST = "/packages/asgi_deploy_build_probe-1.0.0.tar.gz"


def current_release(host):
    return host.check_output("readlink -f /srv/hello/current")


@pytest.fixture(scope="module")
def build_record(host):
    path = host.check_output("ls %s/venv/lib/python3*/site-packages/asgi_deploy_build_probe/build.json"
                             % current_release(host))
    return json.loads(host.file(path).content_string)


def test_the_build_ran_as_the_build_user_without_privileges(host, build_record):
    build_user = host.user("asgi-build")
    assert build_record["user"] == "asgi-build"
    assert build_record["uid"] == build_record["euid"] == build_user.uid != 0
    assert build_record["CapEff"] == "0000000000000000"
    assert build_record["NoNewPrivs"] == "1"


@pytest.mark.parametrize("target", ["/etc", "/etc/asgi-deploy", "/etc/asgi-deploy/hello", "/srv/hello",
                                    "/srv/hello/shared", "/srv/hello/releases", "/usr/local/lib", "/root"])
def test_the_build_could_not_write_outside_its_release(build_record, target):
    assert build_record["writes"][target] in ("EROFS", "EACCES")


def test_the_build_could_not_read_the_apps_secrets_or_keys(build_record):
    assert build_record["reads"]["/etc/asgi-deploy/hello/staged/env"] == "EACCES"
    # (The first release is built before the nginx role writes the key.)
    assert build_record["reads"]["/etc/ssl/asgi-deploy/private/hello.key"] in ("EACCES", "ENOENT")


def test_the_built_release_is_roots_and_read_only_to_the_app_user(host):
    release = current_release(host)
    probe = host.check_output("ls -d %s/venv/lib/python3*/site-packages/asgi_deploy_build_probe" % release)
    assert host.check_output("find %s ! -user root -o ! -group root -o -perm /022 ! -type l" % release) == ""
    assert host.run("runuser -u hello -- touch %s/planted.py" % probe).rc != 0
    assert host.run("runuser -u hello -- find %s -writable" % release).stdout == ""


def index_status(host, credentials=None):
    """The index's answer to a request from the host, with or without credentials."""
    script = "import base64, urllib.error, urllib.request\nrequest = urllib.request.Request(%r)\n" % INDEX
    if credentials:
        script += "request.add_header('Authorization', 'Basic ' + base64.b64encode(%r.encode()).decode())\n" % credentials
    script += "try:\n    print(urllib.request.urlopen(request).status)\nexcept urllib.error.HTTPError as error:\n    print(error.code)\n"
    return host.check_output("python3 -c %s" % shlex.quote(script))


def test_the_index_wants_credentials_and_the_build_used_them(host):
    assert index_status(host) == "401"
    assert index_status(host, "ci-reader:wrong") == "401"
    assert index_status(host, "ci-reader:" + INDEX_PASSWORD) == "200"
    journal = host.check_output("journalctl --no-pager -o cat -u test-index.service")
    assert "authorized GET %s" % SDIST in journal


def test_the_index_credentials_are_nowhere_on_the_host(host):
    release = current_release(host)
    assert INDEX_PASSWORD not in host.file(release + "/release.json").content_string
    assert json.loads(host.file(release + "/release.json").content_string)["source"]["extra_index_url"] \
        == "http://***@127.0.0.1:8081/simple/"
    assert INDEX_PASSWORD not in host.check_output("journalctl --no-pager -o cat")
    # Only root and the build user read the installers' index settings; nothing else on the
    # host holds the password (but the test index's own credentials file).
    for path in ("/etc/asgi-deploy/build/hello-pip.conf", "/etc/asgi-deploy/build/hello-uv.toml"):
        settings = host.file(path)
        assert (settings.user, settings.group, settings.mode) == ("root", "asgi-build", 0o640)
    holders = host.run("grep -rlF %s / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null"
                       % INDEX_PASSWORD).stdout.split()
    assert sorted(holders) == ["/etc/asgi-deploy/build/hello-pip.conf", "/etc/asgi-deploy/build/hello-uv.toml",
                               "/etc/test-index/credentials"]
