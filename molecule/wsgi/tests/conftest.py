import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared"))

from asgi_host import app_cert, host_vars, https_port  # noqa: E402,F401  (fixtures)


@pytest.fixture(scope="module")
def ca_pem(host):
    return app_cert(host, "hello-django")
