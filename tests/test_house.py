"""House rules checked on the source tree (docs/architecture.md, docs/contributing.md):
the layer rule, module size, explicit ``__all__``, a self-contained repository, and the
linter (ruff) and type checker (mypy) passing on the package."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "waferlab"
MAX_LINES = 600
# scale packages: arrows point downwards only, so none of these imports the coupling
# (process/) or the studies (study/)
LOWER = ("reactor", "feature", "atomic", "litho", "thermal", "mechanics")
UPPER = ("process", "study", "runner")


def _modules():
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def _imported_packages(path: Path) -> set[str]:
    """First-level waferlab packages that ``path`` imports (absolute or relative)."""
    rel = path.relative_to(PKG).parts
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = (node.module or "").split(".") if node.module else []
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level] if node.level > 1 else list(rel[:-1])
                full = base + mod
            elif mod and mod[0] == "waferlab":
                full = mod[1:]
            else:
                continue
            if full:
                out.add(full[0])
            else:                                       # "from .. import x"
                out.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names if a.name.startswith("waferlab."))
    return out


def test_layer_rule_scale_packages_do_not_import_process_or_study():
    bad = []
    for p in _modules():
        top = p.relative_to(PKG).parts[0]
        if top in LOWER:
            hit = _imported_packages(p) & set(UPPER)
            if hit:
                bad.append(f"{p.relative_to(ROOT)} imports {sorted(hit)}")
    assert not bad, "layer rule broken:\n" + "\n".join(bad)


def test_modules_are_small():
    big = [f"{p.relative_to(ROOT)}: {n} lines" for p in _modules()
           if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not big, f"modules over {MAX_LINES} lines:\n" + "\n".join(big)


def test_every_module_declares_all():
    missing = [str(p.relative_to(ROOT)) for p in _modules()
               if p.name != "__main__.py" and "__all__" not in p.read_text()]
    assert not missing, "modules without __all__:\n" + "\n".join(missing)


def test_repository_is_self_contained():
    """No file cites the development workspace (its design notes or reference notes)."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if files.returncode != 0:
        pytest.skip("not a git checkout")
    needles = ("../shared", "REFERENCE-DATA", "PLASMA-DATA", "THERMAL-DATA", "STYLE.md", "STYLE rule",
               "ARCHITECTURE.md")
    hits = []
    for name in files.stdout.split():
        path = ROOT / name
        if path.suffix in (".png", ".gds", ".npz", ".nc", ".vtu", ".vtp") or not path.is_file():
            continue
        if name == "tests/test_house.py":
            continue
        text = path.read_text(errors="ignore")
        hits += [f"{name}: {n}" for n in needles if n in text]
    assert not hits, "citations of files outside the repository:\n" + "\n".join(hits)


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (pip install '.[test]')")
    return [exe]


def test_ruff_passes():
    r = subprocess.run(_tool("ruff") + ["check", "--no-cache", "src", "tests", "bench", "examples"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_mypy_passes(tmp_path):
    """The type checker on the package (configuration: [tool.mypy] in pyproject.toml)."""
    r = subprocess.run(_tool("mypy") + ["--cache-dir", str(tmp_path / "mypy-cache")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
