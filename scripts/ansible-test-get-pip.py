# Stand-in for the get-pip script ansible-test downloads to bootstrap pip into its sanity
# test venvs: that download host cannot be reached here. scripts/test puts it into
# ansible-test's cache, under the name ansible-test looks for, beside the pip wheel that
# ansible-test asks for (fetched from the package index beforehand). It takes get-pip's
# arguments: pip install arguments plus --no-setuptools / --no-wheel.
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")
WHEEL_DIR = os.path.dirname(os.path.abspath(__file__))

ensurepip.bootstrap(upgrade=True)
pip = [sys.executable, "-m", "pip"]
install_args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call(pip + ["install", "--no-index", "--find-links", WHEEL_DIR] + install_args)
if "--no-setuptools" in sys.argv:
    subprocess.check_call(pip + ["uninstall", "--yes", "--quiet", "setuptools"])
