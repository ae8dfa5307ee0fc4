"""Small helpers every benchmark shares: percentiles, a printed table, a JSON file."""

import json
import statistics
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def summarize(latencies_s: list[float]) -> dict[str, float]:
    """Count and p50/p95/p99/max in milliseconds."""
    ordered = sorted(latencies_s)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "count": len(ordered),
        "p50_ms": round(cuts[49] * 1000, 3),
        "p95_ms": round(cuts[94] * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Rows of equal keys as an aligned text table."""
    print(f"\n{title}")
    columns = list(rows[0])
    widths = [max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in columns]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))


def write_results(name: str, data: dict[str, Any]) -> Path:
    """bench/results/<name>.json"""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"\nwrote {path}")
    return path
