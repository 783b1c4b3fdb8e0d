# gunicorn of bench/serve's hand-tuned comparison: Uvicorn workers on a UNIX socket that
# the hand-tuned nginx connects to, no access log, started without systemd's sandbox.
# The socket path and worker count come from the command line (bench/serve.py). The app's
# own log lines go to the journal in plain text (app-logging.json, as for every peer): an
# expert keeps them, so the stack is not measured against a setup that drops them.
worker_class = "uvicorn_worker.UvicornWorker"
keepalive = 5
forwarded_allow_ips = "*"
worker_tmp_dir = "/dev/shm"
control_socket_disable = True
# The socket lives in a root-owned directory of the bench; nginx's workers must connect.
umask = 0o000
accesslog = None
errorlog = "-"
loglevel = "warning"
logconfig_json = "/run/asgi-bench/app-logging.json"
