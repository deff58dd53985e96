# SPDX-License-Identifier: MIT
"""Stand-in for the get-pip.py ansible-test downloads from its own CI host: pip from Python's ensurepip, then pip install ARGS from PyPI."""

import ensurepip
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
ARGS = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + ARGS))
