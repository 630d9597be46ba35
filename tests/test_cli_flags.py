"""One flag table for every command (docs/cli.md "Flags"), --debug after the command,
default output folders, the first-run notice and the --resume hint on Ctrl-C."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from waferlab.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"

#: command -> the shared flags it takes (the table in docs/cli.md)
TABLE = {
    "run": {"--out", "--seed", "--threads", "--quiet", "--overwrite", "--resume"},
    "demo": {"--out", "--seed", "--threads", "--quiet", "--overwrite", "--resume"},
    "flux": {"--out", "--seed", "--threads", "--quiet", "--overwrite"},
    "image": {"--out", "--seed", "--threads", "--quiet", "--overwrite"},
    "reactor": {"--out", "--quiet", "--overwrite", "--resume"},
    "thermal": {"--out", "--seed", "--threads", "--quiet", "--overwrite"},
    "study": {"--out", "--seed", "--threads", "--quiet", "--overwrite"},
    "validate": {"--out", "--seed", "--threads", "--quiet", "--overwrite"},
    "info": set(),
}
SHARED = {"--out", "--seed", "--threads", "--quiet", "--overwrite", "--resume"}


def _flags(cmd: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return {o for a in sub.choices[cmd]._actions for o in a.option_strings}


@pytest.mark.parametrize("cmd", sorted(TABLE))
def test_each_command_takes_the_shared_flags_of_the_table(cmd):
    flags = _flags(cmd)
    assert flags & SHARED == TABLE[cmd]
    assert "--debug" in flags                           # after the command too


def test_the_table_in_the_docs_is_the_parser():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    head, *rows = [line for line in text.split("## Flags", 1)[1].splitlines()
                   if line.startswith("| ")][:9]
    cmds = [c.strip() for c in head.strip("|").split("|")][1:]
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        flag = cells[0].strip("`").split()[0]
        if flag == "--debug":
            continue
        for cmd, cell in zip(cmds, cells[1:]):
            takes = cell.startswith("✓") or (flag == "--resume" and cell.startswith("✓"))
            assert takes == (flag in TABLE[cmd]), (flag, cmd, cell)


def test_debug_after_the_command_shows_the_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ngrid: {dimension: 2, spacing: -1 nm, extent: [1 um]}\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["run", str(bad), "--out", str(tmp_path / "o"), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "grid.spacing" in err


def test_reactor_and_image_need_no_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["reactor", str(EX / "reactor-argon.yaml"), "--quiet"]) == 0
    assert json.loads((tmp_path / "reactor-argon-out" / "reactor.json").read_text())["T_e_eV"] > 0
    page = (tmp_path / "reactor-argon-out" / "report.html").read_text(encoding="utf-8")
    assert "Reactor (" in page and "Ion energy distribution" in page
    assert main(["image", str(EX / "litho-grating.yaml"), "--quiet"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "litho-grating-out"
    written = {p.name for p in folder.iterdir()} - {"waferlab-run.json"}
    listed = out.split("wrote ", 1)[1].split(" to ", 1)[0].split(", ")
    assert set(listed) == written and "bossung.png" in written     # every file, listed
    assert "report.html" in written


def test_ctrl_c_prints_the_resume_command(tmp_path, monkeypatch, capsys):
    import waferlab.api

    recipe = EX / "trench-deposition.yaml"
    out = tmp_path / "r"

    def interrupted(*args, **kwargs):
        out.mkdir(exist_ok=True)
        (out / "checkpoint.npz").write_bytes(b"")
        raise KeyboardInterrupt

    monkeypatch.setattr(waferlab.api, "run", interrupted)
    assert main(["run", str(recipe), "--out", str(out), "--seed", "7", "--quiet"]) == 130
    err = capsys.readouterr().err
    assert f"continue with: waferlab run {recipe} --out {out} --resume --seed 7" in err

    def early(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(waferlab.api, "run", early)
    assert main(["run", str(recipe), "--out", str(tmp_path / "s"), "--quiet"]) == 130
    assert "nothing to resume" in capsys.readouterr().err


def test_first_run_says_the_kernels_compile(tmp_path, monkeypatch, capsys):
    import waferlab.api
    import waferlab.cli_core

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(waferlab.api, "run", stop)
    monkeypatch.setattr(waferlab.cli_core, "kernels_cached", lambda: False)
    args = ["run", str(EX / "trench-deposition.yaml"), "--out", str(tmp_path / "o")]
    main(args)
    assert "compiling the numba kernels" in capsys.readouterr().err
    main(args + ["--quiet"])
    assert "compiling" not in capsys.readouterr().err
    monkeypatch.setattr(waferlab.cli_core, "kernels_cached", lambda: True)
    main(args)
    assert "compiling" not in capsys.readouterr().err
