"""report.html: one self-contained page per output folder (run, thermal, study).

The default tests read the HTML; the ``slow`` test opens a report of a plasma-etch run in
headless Chromium (the Debian ``chromium`` package), checks that the page logs nothing
to the console (a Content-Security-Policy violation — any attempt to load a script, a
font or an image from outside the file — is logged there as an error) and that the
screenshot shows the pictures."""
from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import waferlab
from waferlab.cli_core import demo_recipe_path
from waferlab.io.report import HtmlReport, write_run_report
from small_recipes import small_trench

ROOT = Path(__file__).resolve().parents[1]
SMALL = small_trench("report-small", seed=3, deposit=None)
def _plasma() -> dict:
    """The built-in demo recipe (ICP SF6/O2 trench from the reactor knobs), cut to 5 s with
    50 rays per point: a run with a reactor table, an IEDF and traced fluxes."""
    data = yaml.safe_load(demo_recipe_path().read_text(encoding="utf-8"))
    data["name"] = "report-plasma"
    data["grid"]["spacing"] = "25 nm"
    data["steps"][0]["plasma_etch"].update(rays_per_point=50, time="5 s")
    data["steps"][0]["plasma_etch"].pop("loading")
    return data


def _external_references(html: str) -> list[str]:
    """Every src/href value that is not inline data."""
    refs = re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)['"]""", html)
    return [r for r in refs if not r.startswith("data:")]


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)]


def test_run_report_is_self_contained_with_metrics_pictures_log_and_timings(tmp_path):
    waferlab.run(SMALL, out=tmp_path, threads=1)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert _external_references(html) == []
    assert "default-src 'none'" in html and "<script" not in html
    pngs = _images(html)
    assert len(pngs) == 1 and pngs[0] == (tmp_path / "profile.png").read_bytes()
    # the metrics in engineering units, as the command line prints them
    assert re.search(r"<td>etch_depth</td><td class=num>\d+\.\d</td><td>nm</td>", html)
    assert "<td>sidewall_angle</td>" in html and "°" in html
    for part in ("Step log", "step 1: etch (directional", "Timings", "Recipe (resolved, SI units)",
                 "report-small"):
        assert part in html, part
    assert "Reactor" not in html                    # no plasma step: no reactor section


def test_reactor_section_has_the_table_and_the_iedf(tmp_path):
    reactor = waferlab.solve_reactor(ROOT / "examples" / "reactor-argon.yaml").metrics
    reactor["iedf"] = {"energies_eV": [50.0, 100.0, 150.0], "pdf": [0.0, 0.02, 0.0]}
    (tmp_path / "profile.png").write_bytes(_tiny_png())
    write_run_report(tmp_path, recipe={"name": "r"}, metrics={"etch_depth_m": 1e-7},
                     reactor=reactor, log=["12:00:00 step 1"], timings=[("step 1", 1.5)])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Reactor (" in html and "<td>Ar+</td>" in html and "flux to wafer (cm⁻² s⁻¹)" in html
    assert "Ion energy distribution at the wafer" in html
    assert len(_images(html)) == 2 and _external_references(html) == []
    assert re.search(r"<td>T_e</td><td class=num>[0-9.]+</td><td>eV</td>", html)


def _tiny_png() -> bytes:
    from waferlab.io.plots import subplots
    from waferlab.io.report import figure_png

    fig, ax = subplots(figsize=(1, 1))
    ax.plot([0, 1], [0, 1])
    return figure_png(fig)


def test_html_escapes_what_it_shows(tmp_path):
    r = HtmlReport("<b>x</b>")
    r.table(("a",), [("<script>alert(1)</script>",)]).pre("</pre><img src=http://x>")
    html = r.html()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert _external_references(html) == []


def test_study_report_has_the_samples_and_the_statistics(tmp_path):
    study = {"study": {"base": SMALL,
                       "parameters": {"steps[0].etch.rates.Si": {"range": ["0.8 um/min",
                                                                           "1.2 um/min"]}},
                       "metrics": ["etch_depth_m"], "method": "montecarlo", "samples": 4,
                       "seed": 1}}
    res = waferlab.run_study(study, out=tmp_path, serial=True)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Samples (4)" in html and "Statistics" in html and "95 % CI of the mean" in html
    assert html.count("<tr>") >= 1 + 4 + 1
    assert len(_images(html)) >= 1 and _external_references(html) == []
    assert res.out_dir == tmp_path


def test_thermal_run_has_a_report(tmp_path):
    waferlab.run({"name": "t", "thermal": {
        "substrate": {"material": "Si", "background": {"P": "1e16 cm^-3"}},
        "depth": "1 um", "nodes": 101,
        "steps": [{"implant": {"dopant": "B", "dose": "1e14 cm^-2", "energy": "20 keV"}}]}},
        out=tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "waferlab thermal: t" in html and "Dopant profiles" in html
    assert len(_images(html)) == 1


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0")


def _chromium(page: Path, shot: Path, profile: Path) -> list[str]:
    """Open ``page``, save a screenshot; return the console lines Chromium logged."""
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}",
                           "--window-size=1200,2600", f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.is_file(), proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_report_opens_in_headless_chromium_without_console_errors(tmp_path):
    import numpy as np
    from PIL import Image

    # the detector can fail: a page with a console error and a refused external image
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><meta http-equiv='Content-Security-Policy' "
                   "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
                   "<script>console.error('boom')</script><img src='https://example.invalid/x.png'>"
                   "</body></html>")
    assert _chromium(bad, tmp_path / "bad.png", tmp_path / "profile-bad")

    out = tmp_path / "run"
    waferlab.run(_plasma(), out=out, threads=1)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Reactor (" in html and "Ion energy distribution" in html
    shot = tmp_path / "report.png"
    console = _chromium(out / "report.html", shot, tmp_path / "profile")
    assert console == []
    img = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    assert img.shape[1] == 1200 and img.shape[0] >= 2000
    # the pictures are drawn: the cross-section's Mask (orange, #e69138-like) and the Si
    # (grey) cover a real area of the page, not only white and text
    drawn = img.min(axis=2) < 200
    orange = (img[..., 0] > 180) & (img[..., 1] > 100) & (img[..., 1] < 180) & (img[..., 2] < 110)
    assert drawn.mean() > 0.03 and orange.mean() > 0.002
