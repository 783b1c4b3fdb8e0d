"""One-off commands (asgi.deploy.run) in the Django app's live release: as its user, with
its environment and sandbox, the output and exit code shown, secrets never."""

import json

from asgi_probe import playbook_recap

SECRET = "not-a-real-secret-key-of-the-wsgi-scenario"


def run(command, *args):
    """asgi.deploy.run with the command as JSON, which keeps its blanks and quotes."""
    return playbook_recap("asgi.deploy.run", "-e", json.dumps({"app": "hello-django", "command": command}), *args)


def test_createsuperuser_runs_in_the_live_release():
    code, output = run("DJANGO_SUPERUSER_PASSWORD=not-a-real-password django-admin createsuperuser --noinput "
                       "--username admin --email admin@example.test && django-admin shell -c "
                       "'from django.contrib.auth.models import User; "
                       "print(\"superusers:\", User.objects.filter(is_superuser=True).count())'")
    assert code == 0, output[-3000:]
    assert "Superuser created successfully." in output and "superusers: 1" in output


def test_the_command_runs_as_the_app_with_its_environment_in_its_sandbox_and_no_secret_shows(host):
    code, output = run('id -un; pwd; echo "hosts $DJANGO_ALLOWED_HOSTS"; command -v django-admin; '
                       "touch /srv/hello-django/current/x || echo read-only", "-vvv")
    assert code == 0, output[-3000:]
    slot = host.check_output("readlink /srv/hello-django/current")
    for line in ("hello-django", "/srv/hello-django/shared", "hosts django.example.test www.django.example.test",
                 "/srv/hello-django/%s/venv/bin/django-admin" % slot, "Read-only file system", "read-only"):
        assert line in output, line
    # The environment file holds the secret key: it never reaches the output, even at -vvv.
    assert SECRET not in output


def test_a_failing_command_fails_the_run_with_its_output_and_exit_code():
    code, output = run("echo data-fix-failed >&2; exit 7")
    assert code != 0
    assert "data-fix-failed" in output and "The command exited with 7" in output


def test_a_command_ansible_split_at_a_blank_never_runs(host):
    code, output = playbook_recap("asgi.deploy.run", "-e", "app=hello-django",
                                  "-e", "command=touch /srv/hello-django/shared/split-ran")
    assert code != 0
    assert "Ansible split -e command=... at its first blank (it read 'touch'" in output
    assert not host.file("/srv/hello-django/shared/split-ran").exists
