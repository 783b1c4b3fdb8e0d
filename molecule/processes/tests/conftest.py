import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "shared"))

from asgi_host import ca_pem, host_vars, https_port  # noqa: E402,F401  (fixtures)
