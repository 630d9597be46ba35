"""Merge the per-benchmark sections in bench/results/*.md into bench/RESULTS.md."""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parts = sorted((HERE / "results").glob("*.md"))
    text = ["# Benchmark results", "",
            "Written by the scripts in bench/ (each writes bench/results/<name>.md; "
            "`python bench/collect.py` merges them here). Machine: 2 cores unless stated.", ""]
    for p in parts:
        text += [p.read_text().rstrip(), ""]
    (HERE / "RESULTS.md").write_text("\n".join(text))


if __name__ == "__main__":
    main()
