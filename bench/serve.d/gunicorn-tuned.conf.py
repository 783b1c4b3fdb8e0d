# gunicorn of bench/serve's hand-tuned comparison: Uvicorn workers on a UNIX socket that
# the hand-tuned nginx connects to, no access log, started without systemd's sandbox.
# The socket path and worker count come from the command line (bench/serve.py).
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
