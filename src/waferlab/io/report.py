"""``report.html``: one self-contained page per output folder.

The page holds everything a colleague needs to read a run without waferlab: the recipe
as run, the metrics in engineering units (the rows the command line prints), every
picture of the folder inlined as a base64 PNG, the reactor table and IEDF where a
plasma step ran, the step log and the wall time of each step.  No script, no font and
no link leaves the file (``Content-Security-Policy: default-src 'none'``), so it opens
offline and in a mail attachment.  Written atomically (:func:`waferlab.io.atomic.write_text`).
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from .atomic import write_text
from .display import engineering, metric_rows

__all__ = ["HtmlReport", "write_run_report", "write_study_report", "figure_png",
           "REPORT", "image_captions", "metrics_html"]

REPORT = "report.html"

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;
padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.8em;overflow:auto;font-size:.8em;
max-height:32em}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
.meta{color:#666;font-size:.9em}
.row{display:flex;flex-wrap:wrap;gap:2em;align-items:flex-start}
.row>div{flex:1 1 420px;min-width:0}
.row>div:first-child{flex:0 0 auto;max-width:30em}
figure{max-width:100%}figure img{height:auto}
"""

#: Captions of the pictures waferlab writes (others get their file name).
_CAPTIONS = {
    "profile.png": "Cross-section: final profile (filled), initial surface (dashed)",
    "profile_3d.png": "3D surface of the final profile",
    "flux.png": "Monte Carlo flux on the surface",
    "wafer_map.png": "Wafer map: centre, mid-radius and edge",
    "iedf.png": "Ion energy distribution at the wafer",
    "doping.png": "Dopant profiles",
    "aerial.png": "Aerial image",
    "resist.png": "Developed resist",
    "bossung.png": "Bossung curves and process window",
    "sweep.png": "Reactor sweep",
    "distributions.png": "Distributions of the metrics",
    "sensitivity.png": "Sensitivity indices",
    "convergence.png": "Optimisation convergence",
    "pareto.png": "Pareto front",
    "profiles.png": "Profiles of the samples",
}


def image_captions() -> dict[str, str]:
    """The caption of each picture name waferlab writes."""
    return dict(_CAPTIONS)


def metrics_html(metrics: dict[str, Any], *, title: str = "metrics") -> str:
    """An HTML table of the metrics in engineering units (a notebook's rich display)."""
    rows = "".join(f"<tr><td>{html.escape(n)}</td><td style='text-align:right'>"
                   f"{html.escape(v)}</td><td>{html.escape(u)}</td></tr>"
                   for n, v, u in metric_rows(metrics))
    return (f"<table><caption>{html.escape(title)}</caption><thead><tr><th>metric</th>"
            f"<th>value</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table>")


def figure_png(fig, dpi: int = 110) -> bytes:
    """A matplotlib Figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


class HtmlReport:
    """A small builder of a self-contained HTML page (sections, tables, images, text)."""

    def __init__(self, title: str, subtitle: str = ""):
        self.title, self.parts = title, []
        from .. import __version__

        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        self.parts.append(f"<h1>{html.escape(title)}</h1><p class='meta'>"
                          f"{html.escape(subtitle)}{' · ' if subtitle else ''}waferlab "
                          f"{html.escape(__version__)} · {now}</p>")

    def heading(self, text: str) -> "HtmlReport":
        self.parts.append(f"<h2>{html.escape(text)}</h2>")
        return self

    def paragraph(self, text: str) -> "HtmlReport":
        self.parts.append(f"<p>{html.escape(text)}</p>")
        return self

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]],
              numeric: Sequence[int] = ()) -> "HtmlReport":
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = []
        for r in rows:
            cells = "".join(f"<td{' class=num' if j in numeric else ''}>{html.escape(str(c))}</td>"
                            for j, c in enumerate(r))
            body.append(f"<tr>{cells}</tr>")
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
                          "</tbody></table>")
        return self

    def image(self, png: bytes, caption: str = "", width: int | None = None) -> "HtmlReport":
        data = base64.b64encode(png).decode("ascii")
        w = f" width='{int(width)}'" if width else ""
        self.parts.append(f"<figure><img alt='{html.escape(caption)}'{w} "
                          f"src='data:image/png;base64,{data}'><figcaption>"
                          f"{html.escape(caption)}</figcaption></figure>")
        return self

    def open_row(self) -> "HtmlReport":
        """Start side-by-side blocks (each :meth:`cell` is one); :meth:`close_row` ends them."""
        self.parts.append("<div class=row><div>")
        return self

    def cell(self) -> "HtmlReport":
        self.parts.append("</div><div>")
        return self

    def close_row(self) -> "HtmlReport":
        self.parts.append("</div></div>")
        return self

    def pre(self, text: str) -> "HtmlReport":
        self.parts.append(f"<pre>{html.escape(text)}</pre>")
        return self

    def html(self) -> str:
        return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
                "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
                "img-src data:; style-src 'unsafe-inline'\">"
                f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
                + "\n".join(self.parts) + "\n</body></html>\n")

    def write(self, path: str | Path) -> Path:
        write_text(path, self.html())
        return Path(path)


def _pictures(report: HtmlReport, folder: Path, skip: Iterable[str] = ()) -> None:
    """Every PNG of ``folder`` (known ones first, in a fixed order)."""
    names = [p.name for p in sorted(folder.glob("*.png")) if p.name not in set(skip)]
    order = {n: i for i, n in enumerate(_CAPTIONS)}
    names.sort(key=lambda n: (order.get(n, len(order)), n))
    for n in names:
        report.image((folder / n).read_bytes(), _CAPTIONS.get(n, n))


def _metrics_section(report: HtmlReport, metrics: dict[str, Any]) -> None:
    report.heading("Metrics").table(("metric", "value", "unit"), metric_rows(metrics),
                                    numeric=(1,))
    report.paragraph("Files keep SI units with the unit in each key (metrics.json); "
                     "definitions in the project's docs/metrics.md.")


def _reactor_section(report: HtmlReport, reactor: dict[str, Any]) -> None:
    """The reactor table (densities and fluxes to the wafer) and the IEDF picture."""
    report.heading(f"Reactor ({reactor.get('chemistry', '')})").open_row()
    head = []
    for k in ("T_e_eV", "n_e_avg_m3", "n_e_center_m3", "ion_flux_m2s", "ion_energy_mean_eV",
              "V_dc_V", "sheath_thickness_m", "pressure_Pa"):
        if isinstance(reactor.get(k), (int, float)):
            name, v, unit = engineering(k, float(reactor[k]))
            if k in ("n_e_avg_m3", "n_e_center_m3"):
                v, unit = float(reactor[k]) * 1e-6, "cm⁻³"
            head.append((name, f"{v:.4g}", unit))
    report.table(("quantity", "value", "unit"), head, numeric=(1,))
    iedf = _iedf(reactor)
    if iedf is not None:
        report.cell().image(iedf, _CAPTIONS["iedf.png"])
    report.close_row()
    fl = reactor.get("fluxes_to_wafer_m2s", {}) or {}
    dens = reactor.get("densities_m3", {}) or {}
    rows = [(sp, f"{dens.get(sp, float('nan')) * 1e-6:.3e}", f"{fl[sp] * 1e-4:.3e}")
            for sp in sorted(fl, key=lambda k: -fl[k])]
    if rows:
        report.paragraph("Densities in the plasma and fluxes to the wafer (ions: the Bohm "
                         "flux at the sheath edge; neutrals: n v̄/4).")
        report.table(("species", "density (cm⁻³)", "flux to wafer (cm⁻² s⁻¹)"), rows,
                     numeric=(1, 2))
    load = reactor.get("loading")
    if isinstance(load, dict):
        report.table(("loading of the plasma by the wafer", "value", "unit"),
                     metric_rows(load), numeric=(1,))


def _iedf(reactor: dict[str, Any]) -> bytes | None:
    """PNG of the IEDF in a reactor summary (``iedf: {energies_eV, pdf}``), if any."""
    d = reactor.get("iedf")
    if not isinstance(d, dict) or not d.get("energies_eV"):
        return None
    from .plots import subplots

    fig, ax = subplots(figsize=(5.0, 3.2))
    ax.plot(d["energies_eV"], d["pdf"], lw=1.5)
    ax.set_xlabel("ion energy (eV)")
    ax.set_ylabel("IEDF (1/eV)")
    ax.set_title("ion energy distribution at the wafer")
    fig.tight_layout()
    return figure_png(fig)


def _timings(report: HtmlReport, timings: Sequence[tuple[str, float]]) -> None:
    if timings:
        report.heading("Timings").table(("step", "wall time (s)"),
                                        [(k, f"{v:.2f}") for k, v in timings]
                                        + [("total", f"{sum(v for _, v in timings):.2f}")],
                                        numeric=(1,))


def _flat(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics without nested tables (lists of lists: a dose-focus matrix)."""
    def table(v: Any) -> bool:
        return isinstance(v, (list, tuple)) and any(isinstance(x, (list, tuple)) for x in v)

    out: dict[str, Any] = {}
    for k, v in metrics.items():
        if isinstance(v, dict):
            v = {kk: vv for kk, vv in v.items() if not table(vv)}
        if not table(v):
            out[k] = v
    return out


def write_run_report(folder: str | Path, *, recipe: dict[str, Any] | None, metrics: dict[str, Any],
                     reactor: dict[str, Any] | None = None, log: Sequence[str] = (),
                     timings: Sequence[tuple[str, float]] = (), title: str | None = None
                     ) -> Path:
    """Write ``folder/report.html`` of a run whose other outputs are already in ``folder``
    (its pictures are inlined).  ``recipe`` is the resolved recipe mapping (None: not
    shown); also the page of ``image``, ``reactor`` and ``flux`` folders."""
    import yaml

    folder = Path(folder)
    name = str((recipe or {}).get("name", metrics.get("name", folder.name)))
    seed = metrics.get("seed", (recipe or {}).get("seed", ""))
    report = HtmlReport(title or f"waferlab run: {name}", f"seed {seed}" if seed != "" else "")
    report.open_row()
    _metrics_section(report, _flat(metrics))
    report.cell().heading("Pictures")
    _pictures(report, folder)
    report.close_row()
    if reactor:
        _reactor_section(report, reactor)
    _timings(report, timings)
    if log:
        report.heading("Step log").pre("\n".join(log))
    if recipe:
        report.heading("Recipe (resolved, SI units)").pre(
            yaml.safe_dump(recipe, sort_keys=False, allow_unicode=True))
    return report.write(folder / REPORT)


def write_study_report(folder: str | Path, *, summary: dict[str, Any],
                       study: dict[str, Any] | None = None) -> Path:
    """Write ``folder/report.html`` of a study: the summary, the table of samples (its
    ``samples.csv``, first 200 rows), the statistics and every plot of the folder."""
    import csv

    import yaml

    folder = Path(folder)
    samples: list[dict] = []
    if (folder / "samples.csv").is_file():
        with open(folder / "samples.csv", encoding="utf-8", newline="") as fh:
            samples = list(csv.DictReader(fh))
    report = HtmlReport(f"waferlab study: {summary.get('method', '')}",
                        f"{summary.get('samples', 0)} samples, seed {summary.get('seed', '')}")
    report.heading("Summary").table(("quantity", "value"), [
        (k, summary[k]) for k in ("method", "samples", "computed", "reused", "failed", "workers")
        if k in summary] + [("wall time (s)", f"{summary.get('wall_time_s', 0.0):.2f}")],
        numeric=(1,))
    stats = summary.get("statistics", {})
    if stats:
        rows = []
        for m, st in stats.items():
            if st.get("n", 0) >= 1 and isinstance(st.get("mean"), (int, float)):
                name, mean, unit = engineering(m, float(st["mean"]))
                f = mean / st["mean"] if st["mean"] else 1.0
                lo, hi = (float(v) * f for v in st.get("mean_ci95", (float("nan"),) * 2))
                rows.append((name, f"{mean:.4g}", f"{lo:.4g} .. {hi:.4g}",
                             f"{float(st.get('std', float('nan'))) * f:.3g}", unit))
        report.heading("Statistics").table(("metric", "mean", "95 % CI of the mean", "std",
                                            "unit"), rows, numeric=(1, 3))
    if samples:
        header = list(samples[0])
        report.heading(f"Samples ({len(samples)})").table(
            header, [[_cell(s.get(h)) for h in header] for s in samples[:200]],
            numeric=tuple(range(0, len(header) - 2)))
    report.heading("Pictures")
    _pictures(report, folder)
    for key in ("optimize", "pareto"):
        if key in summary:
            report.heading(key).pre(json.dumps(summary[key], indent=1, default=str)[:20000])
    if study:
        report.heading("Study").pre(yaml.safe_dump(study, sort_keys=False, allow_unicode=True))
    return report.write(folder / REPORT)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.5g}"
    return "" if v is None else str(v)
