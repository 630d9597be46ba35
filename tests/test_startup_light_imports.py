"""Lighter imports of the ``waferlab`` command (waferlab/_lazy.py,
bench/results/startup_s15.md): numba's start-up without scipy.linalg's ``__init__`` and
without cffi, and scipy's cKDTree without scipy.spatial's ``__init__``.  Each check runs
in a fresh interpreter; no timing here.  The objects must be the very ones the ordinary
imports give (so nothing computed can change), and a library import of waferlab must
leave numba's start-up alone.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _run(code: str, argv0: str = "python") -> dict:
    """``code`` in a fresh interpreter whose ``sys.argv[0]`` is ``argv0``; the last line of
    its stdout is a JSON object."""
    script = f"import sys; sys.argv[0] = {argv0!r}\n" + code
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


# a first numba call (builds numba's target context: numba.np.arraymath's BLAS check and
# numba's cffi typing module), then what was imported, then the ordinary imports
_FIRST_CALL = """
import json, sys
import waferlab
import numba
import numpy as np
@numba.njit
def f(a):
    return a.sum() + np.dot(a, a)      # np.dot: numba's BLAS through scipy's cython_blas
x = float(f(np.arange(4.0)))
seen = {"x": x, "linalg": "scipy.linalg" in sys.modules,
        "blas": "scipy.linalg.cython_blas" in sys.modules,
        "cffi": "cffi" in sys.modules and sys.modules["cffi"] is not None}
from numba.core.typing import cffi_utils
seen["numba_cffi"] = cffi_utils.SUPPORTED
blas = sys.modules["scipy.linalg.cython_blas"]
import scipy.linalg
import scipy.linalg.cython_blas
seen["same_blas"] = scipy.linalg.cython_blas is blas
seen["solve"] = float(scipy.linalg.solve(np.eye(2) * 2.0, np.ones(2))[0])
import inspect
seen["source"] = "def solve" in inspect.getsource(scipy.linalg._basic)   # loaders still work
seen["package_loader"] = scipy.linalg.__loader__.is_package("scipy.linalg")
import cffi
seen["cffi_later"] = hasattr(cffi, "FFI")
print(json.dumps(seen))
"""


def test_command_numba_start_skips_scipy_linalg_and_cffi():
    """As the command: the first kernel call loads cython_blas alone (np.dot still runs
    through it), no scipy.linalg package and no cffi; both import normally later, to the
    same extension module."""
    seen = _run(_FIRST_CALL, "waferlab")
    assert seen["x"] == 6.0 + 14.0
    assert seen["blas"] is True and seen["linalg"] is False
    assert seen["cffi"] is False and seen["numba_cffi"] is False
    assert seen["same_blas"] is True and seen["solve"] == 0.5 and seen["cffi_later"] is True
    assert seen["source"] is True and seen["package_loader"] is True


def test_library_import_leaves_numba_start_alone():
    """``import waferlab`` from Python: numba starts as it always does (scipy.linalg
    imported for its BLAS check)."""
    seen = _run(_FIRST_CALL, "python")
    assert seen["x"] == 20.0 and seen["linalg"] is True and seen["blas"] is True


_CKDTREE = """
import json, sys
import numpy as np
import waferlab
from waferlab._lazy import ckdtree
T = ckdtree()
d, j = T(np.array([[0.0, 0.0], [1.0, 0.0]])).query(np.array([[0.9, 0.1]]))
seen = {"spatial": "scipy.spatial" in sys.modules, "special": "scipy.special" in sys.modules,
        "j": int(j[0])}
import scipy.spatial
seen["same"] = scipy.spatial.cKDTree is T and ckdtree() is T
seen["adopted"] = scipy.spatial._ckdtree is sys.modules["scipy.spatial._ckdtree"]
print(json.dumps(seen))
"""


def test_ckdtree_is_scipys_class_without_scipy_spatial():
    """waferlab._lazy.ckdtree() in the command: scipy.spatial.cKDTree itself, without
    running scipy.spatial's __init__ (so no scipy.special); the same class, and the
    package's attribute, once scipy.spatial is imported after all."""
    seen = _run(_CKDTREE, "waferlab")
    assert seen == {"spatial": False, "special": False, "j": 1, "same": True, "adopted": True}


def test_ckdtree_in_a_library_import_is_the_ordinary_import():
    seen = _run(_CKDTREE, "python")
    assert seen == {"spatial": True, "special": True, "j": 1, "same": True, "adopted": True}
