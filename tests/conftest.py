"""Shared test helpers for stopping a run and resuming it.

``stop_then_resume``: run a recipe in this process, stop it with an exception right after
the first checkpoint for which ``when(next_step, step_time, wafer)`` holds, then resume
from that checkpoint; returns the resumed metrics.
``kill_then_resume``: the same with a ``waferlab run`` subprocess killed by SIGKILL as soon
as its checkpoint file exists.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest

# As the ``waferlab`` command does at start-up (waferlab/__init__.py): one BLAS thread and
# passive OpenMP waiting, set before numpy and numba load.  The suite runs one pytest-xdist
# worker per core, and spinning thread pools in each worker would steal the other's core.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")


@pytest.fixture
def stop_then_resume(monkeypatch) -> Callable[..., dict[str, Any]]:
    import waferlab.runner as runner_mod
    from waferlab.runner import run_recipe

    def go(recipe, ctx, when: Callable[[int, float, Any], bool]) -> dict[str, Any]:
        real = runner_mod.save_checkpoint

        class Stopped(Exception):
            pass

        def stopping(path, wafer, *, next_step, step_time, **kw):
            real(path, wafer, next_step=next_step, step_time=step_time, **kw)
            if when(next_step, step_time, wafer):
                raise Stopped

        monkeypatch.setattr(runner_mod, "save_checkpoint", stopping)
        with pytest.raises(Stopped):
            run_recipe(recipe, ctx)
        monkeypatch.setattr(runner_mod, "save_checkpoint", real)
        return run_recipe(recipe, ctx, resume=True)

    return go


@pytest.fixture
def kill_then_resume() -> Callable[..., subprocess.CompletedProcess]:
    def go(cmd: list[str], ref: Path, cut: Path, final: str, wait_s: float,
           timeout_s: float) -> subprocess.CompletedProcess:
        """Run ``cmd --out ref``; run ``cmd --out cut`` and SIGKILL it once its checkpoint
        exists (the file ``final`` must not exist yet); run ``cmd --out cut --resume``."""
        subprocess.run(cmd + ["--out", str(ref)], check=True, capture_output=True, timeout=timeout_s)
        proc = subprocess.Popen(cmd + ["--out", str(cut)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        ck = cut / "checkpoint.npz"
        t0 = time.time()
        while not ck.exists() and time.time() - t0 < wait_s:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
        assert not (cut / final).exists()
        done = subprocess.run(cmd + ["--out", str(cut), "--resume"], capture_output=True,
                              text=True, timeout=timeout_s)
        assert done.returncode == 0, done.stderr
        assert "resumed from checkpoint" in (cut / "log.txt").read_text()
        return done

    return go
