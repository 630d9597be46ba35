"""The checkpoint writer streams the level sets (issue #18): the file is the one
``np.savez_compressed`` would write, it loads to the same bits, and writing it needs a
fixed slice of memory beside the live arrays, not a copy of the volume."""
from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from waferlab.feature.grid import Grid
from waferlab.feature.levelset import LevelSetStack
from waferlab.io import checkpoint as C
from waferlab.wafer import Wafer


def _wafer(n: int = 60, nz: int = 40, layers: int = 3) -> Wafer:
    g = Grid(dimension=3, spacing=2e-8, extent=(n * 2e-8, n * 2e-8), boundary="periodic")
    rng = np.random.default_rng(7)
    phi = rng.standard_normal((layers, n, n, nz))
    phi[0, 0, 0, :3] = [-0.0, np.finfo(float).tiny, -np.finfo(float).max]   # odd bits kept
    geom = LevelSetStack(grid=g, z0=-1e-7, phi=phi, materials=("Si", "Mask", "Si")[:layers],
                         reference_top=0.0)
    return Wafer(geometry=geom, time=12.5, history=("etch",), fields=(("a", [1, 2]),))


@pytest.mark.parametrize("chunk", [1 << 12, 3000, 1 << 22])
def test_members_are_those_of_savez_compressed(monkeypatch, chunk):
    """Same members, same decompressed .npy bytes and CRCs as numpy's own writer, for
    slices that divide the volume, do not, and exceed it."""
    monkeypatch.setattr(C, "CHUNK_BYTES", chunk)
    phi = _wafer().geometry.phi
    text = json.dumps({"x": 1})
    ref, got = io.BytesIO(), io.BytesIO()
    np.savez_compressed(ref, phi=phi, meta=np.array(text), checksum=np.array(C._checksum(phi, text)))
    C._write_npz(got, phi, text)
    za, zb = zipfile.ZipFile(ref), zipfile.ZipFile(got)
    assert za.namelist() == zb.namelist() == ["phi.npy", "meta.npy", "checksum.npy"]
    for name in za.namelist():
        assert za.read(name) == zb.read(name), name
        assert za.getinfo(name).CRC == zb.getinfo(name).CRC, name


def test_round_trip_is_bit_exact_and_writable(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "CHUNK_BYTES", 5000)
    w = _wafer()
    C.save_checkpoint(tmp_path / "c.npz", w, next_step=0, step_time=1.5, recipe_hash="h", seed=3)
    cp = C.load_checkpoint(tmp_path / "c.npz")
    a, b = w.geometry.phi, cp.wafer.geometry.phi
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()                           # bit for bit (-0.0 included)
    # owned, writable and C-contiguous: the run may grow it in place (levelset.grow_vertical)
    assert b.flags.owndata and b.flags.writeable and b.flags.c_contiguous
    assert cp.step_time == 1.5 and cp.seed == 3 and cp.wafer.time == 12.5


def test_a_flipped_byte_in_the_volume_is_still_refused(tmp_path):
    """The checksum taken while streaming covers the level-set bytes."""
    w = _wafer(n=20, nz=10)
    C.save_checkpoint(tmp_path / "c.npz", w, next_step=0, step_time=0.0, recipe_hash="h")
    with zipfile.ZipFile(tmp_path / "c.npz") as z:
        members = {n: z.read(n) for n in z.namelist()}
    raw = bytearray(members["phi.npy"])
    raw[-9] ^= 0x10
    members["phi.npy"] = bytes(raw)
    with zipfile.ZipFile(tmp_path / "d.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, data in members.items():
            z.writestr(n, data)
    with pytest.raises(C.CheckpointError, match="checksum"):
        C.load_checkpoint(tmp_path / "d.npz")


def test_writing_needs_a_slice_not_a_copy(tmp_path, monkeypatch):
    """Traced allocations while writing a 9.6 MB volume stay below 2 slices of 256 KiB
    (a slice and its compressed output) + 1 MB (zlib state, zip bookkeeping); numpy's savez_compressed needed
    64 MB here (16 MiB blocks copied through a buffered iterator) and any copy of the
    volume would need 9.6 MB.  Layer size: 3.2 MB, so also below one layer."""
    monkeypatch.setattr(C, "CHUNK_BYTES", 1 << 18)
    w = _wafer(n=100, nz=40)
    assert w.geometry.phi.nbytes == 9_600_000
    tracemalloc.start()
    try:
        C.save_checkpoint(tmp_path / "c.npz", w, next_step=0, step_time=0.0, recipe_hash="h")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * (1 << 18) + (1 << 20), peak


def test_members_are_deflated_at_the_fast_level(tmp_path):
    """The level sets are deflated at ZLIB_LEVEL (1): the member's compressed bytes are
    zlib's level-1 raw deflate of the .npy bytes, not level 6's (#18: 2.5x less CPU)."""
    import zlib

    assert C.ZLIB_LEVEL == 1
    rng = np.random.default_rng(0)
    phi = np.round(rng.normal(size=(2, 40, 30)), 2)
    path = tmp_path / "c.npz"
    with open(path, "wb") as fh:
        C._write_npz(fh, phi, "{}")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("phi.npy")
        raw = z.read("phi.npy")
        with open(path, "rb") as fh:
            fh.seek(info.header_offset + 26)
            n, m = np.frombuffer(fh.read(4), "<u2")
            fh.seek(info.header_offset + 30 + int(n) + int(m))
            stored = fh.read(info.compress_size)

    def deflate(level: int) -> bytes:
        c = zlib.compressobj(level, zlib.DEFLATED, -15)
        return c.compress(raw) + c.flush()

    assert stored == deflate(1)
    assert stored != deflate(6)
