"""The example ASGI app deployed by asgi.deploy's demo and tests."""
