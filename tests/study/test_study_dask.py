"""Studies on Dask distributed: a local cluster and a separately started ``dask scheduler``
with two ``dask worker`` processes on 127.0.0.1.  One cluster per kind for the whole
module (start-up is the slow part).  The evaluator is the analytic deposition with a
20 ms cost per task and 1 % seeded noise, so identical values prove identical seeds.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from waferlab.study import dask_client, run_study, study_from_dict

from waferlab.study.cases import deposition_study

METRICS = ("film_bottom_m", "film_sidewall_right_m")


def sweep(samples: int = 64, cost: str = "0.02 s"):
    return study_from_dict(deposition_study("lhs", samples, base_extra={
        "analytic": {"cost": cost, "noise": 0.01}}))


@pytest.fixture(scope="module")
def reference():
    """The same study run inline, one sample after another."""
    return run_study(sweep(cost="0 s"), None, serial=True).dataset


@pytest.fixture(scope="module")
def local_client():
    with dask_client(workers=2) as client:
        yield client


def same_values(a: xr.Dataset, b: xr.Dataset) -> bool:
    return all(np.array_equal(a[v].values, b[v].values) for v in ("x", "seed", *METRICS))


def test_local_cluster_sweep(local_client, reference, tmp_path):
    res = run_study(sweep(), tmp_path, client=local_client)
    assert res.summary["workers"] == 2 and res.computed == 64
    on_disk = xr.load_dataset(tmp_path / "study.nc", engine="h5netcdf")
    assert (on_disk["status"].values == 1).all()
    assert same_values(on_disk, reference)
    assert {"summary.json", "distributions.png", "response-film_bottom_m.png"} <= \
        {p.name for p in tmp_path.iterdir()}


def test_interrupted_study_recomputes_only_missing(local_client, reference, tmp_path):
    class Interrupt(Exception):
        pass

    calls = iter(range(1, 10**9))

    def stop_after_20(i, result):
        if next(calls) == 20:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_study(sweep(), tmp_path, client=local_client, on_result=stop_after_20,
                  make_plots=False)
    partial = xr.load_dataset(tmp_path / "study.nc", engine="h5netcdf")
    done = int((partial["status"].values == 1).sum())
    assert done == 20 and partial.sizes["sample"] == 64
    res = run_study(sweep(), tmp_path, client=local_client, make_plots=False)
    assert (res.reused, res.computed) == (20, 44)
    assert same_values(res.dataset, reference)


def test_cli_with_scheduler_address(local_client, tmp_path):
    import yaml

    from waferlab.cli import main

    data = deposition_study("grid", 16)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data))
    addr = local_client.scheduler.address
    assert main(["study", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o"),
                 "--scheduler", addr, "--quiet"]) == 0
    ds = xr.load_dataset(tmp_path / "o" / "study.nc", engine="h5netcdf")
    assert ds.sizes["sample"] == 16 and (ds["status"].values == 1).all()


def _start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    """Kill a process this test started (by its own pid) and reap it, bounded in time."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def external(tmp_path_factory):
    """``dask scheduler`` + 2 ``dask worker`` (no nanny, so a kill is final), loopback."""
    from distributed import Client

    d = tmp_path_factory.mktemp("dask")
    sfile = d / "scheduler.json"
    procs = [_start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(sfile)], d / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not sfile.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sfile.exists(), (d / "scheduler.log").read_text()
        for name in ("wA", "wB"):
            procs.append(_start(["worker", "--scheduler-file", str(sfile), "--nthreads", "1",
                                 "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
                                 "--name", name], d / f"{name}.log"))
        client = Client(scheduler_file=str(sfile), timeout="30s")
        client.wait_for_workers(2, timeout=60)
        yield client, procs
        client.close(timeout=5)
    finally:
        for p in reversed(procs):
            _stop(p)


@pytest.mark.slow   # ≈ 35–45 s of the default run's 10-minute budget (standard 7): run by
                    # pytest -m slow; the local-cluster sweep covers Dask by default
def test_external_scheduler_kill_a_worker_then_one_worker(external, reference, tmp_path):
    """2 workers: all 64 samples; kill worker B (SIGKILL) after 10 results: every sample
    still completes (its tasks are rescheduled); then the same study on the 1 remaining
    worker: identical study.nc values each time."""
    client, procs = external
    two = run_study(sweep(), tmp_path / "two", client=client, make_plots=False)
    assert two.summary["workers"] == 2 and same_values(two.dataset, reference)

    victim = procs[2]

    calls = iter(range(1, 10**9))

    def kill_b(i, result):
        if next(calls) == 10:
            os.kill(victim.pid, signal.SIGKILL)

    killed = run_study(sweep(), tmp_path / "killed", client=client, on_result=kill_b, make_plots=False)
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert killed.computed == 64 and (killed.dataset["status"].values == 1).all()
    assert same_values(killed.dataset, reference)

    deadline = time.monotonic() + 30
    while len(client.scheduler_info(n_workers=-1)["workers"]) != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    one = run_study(sweep(), tmp_path / "one", client=client, make_plots=False)
    assert one.summary["workers"] == 1 and same_values(one.dataset, reference)
    a = xr.load_dataset(tmp_path / "one" / "study.nc", engine="h5netcdf")
    b = xr.load_dataset(tmp_path / "two" / "study.nc", engine="h5netcdf")
    assert same_values(a, b)
