"""Real requests from the machine running the tests to a test host's ports published on
127.0.0.1, with the TLS server name and Host header of the app under test."""

import json
import os
import re
import socket
import ssl
import subprocess
import tempfile

import urllib3
import websocket


def published_port(name, default):
    return int(os.environ.get(name, default))


def https_pool(server_name, port, ca_pem):
    return urllib3.HTTPSConnectionPool(
        "127.0.0.1", port,
        server_hostname=server_name, assert_hostname=server_name,
        cert_reqs="CERT_REQUIRED", ca_cert_data=ca_pem,
        retries=False, timeout=urllib3.Timeout(connect=5, read=20),
    )


def https_get(server_name, port, ca_pem, path="/"):
    return https_pool(server_name, port, ca_pem).request(
        "GET", path, headers={"Host": server_name}, redirect=False)


def https_json(server_name, port, ca_pem, path="/"):
    response = https_get(server_name, port, ca_pem, path)
    assert response.status == 200, (response.status, response.data[:500])
    return json.loads(response.data)


def http_get(server_name, port, path="/"):
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, retries=False, timeout=10)
    return pool.request("GET", path, headers={"Host": server_name}, redirect=False)


def negotiated_alpn(server_name, port, ca_pem):
    context = ssl.create_default_context(cadata=ca_pem)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.selected_alpn_protocol(), tls.version()


def websocket_echo(server_name, port, ca_pem, messages):
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as ca_file:
        ca_file.write(ca_pem)
        ca_file.flush()
        connection = websocket.create_connection(
            "wss://127.0.0.1:%d/ws" % port, host=server_name, timeout=10,
            sslopt={"ca_certs": ca_file.name, "server_hostname": server_name})
    try:
        replies = []
        for message in messages:
            connection.send(message)
            replies.append(connection.recv())
        return replies
    finally:
        connection.close()


def _playbook_command(playbook, args):
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], playbook, *args]
    # Plain text, which changed_count reads (Molecule forces colors on).
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    ansible_cfg = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "ansible.cfg")
    if os.path.exists(ansible_cfg):
        env["ANSIBLE_CONFIG"] = ansible_cfg
    return command, env


def playbook_recap(playbook, *args):
    """Run a playbook against the scenario's inventory; return (exit code, output)."""
    command, env = _playbook_command(playbook, args)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout + done.stderr


def playbook_process(playbook, *args):
    """Start a playbook in a process group of its own (so that it can be killed whole)."""
    command, env = _playbook_command(playbook, args)
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


RECAP_LINE = re.compile(r"^\S+\s+: ok=\d+\s+changed=(\d+)\s", re.M)


def changed_count(output):
    """The sum of changed=N over the PLAY RECAP lines; a run that printed none is an error,
    not zero changes."""
    counts = RECAP_LINE.findall(output)
    assert counts, "no PLAY RECAP line in the output:\n" + output[-2000:]
    return sum(int(count) for count in counts)
