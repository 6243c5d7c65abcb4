"""The Python client's tests: ``python3 -m unittest discover`` in python/ (the vitest file
test/python-client.test.ts runs them under ``npm test``). They import the package from python/src."""

import sys
from pathlib import Path

_SOURCE = str(Path(__file__).resolve().parents[1] / "src")
if _SOURCE not in sys.path:
    sys.path.insert(0, _SOURCE)
