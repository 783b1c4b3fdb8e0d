"""The example Django app asgi.deploy deploys as a WSGI app."""
