"""Turn locust's CSV statistics into the load report: one line per page with requests,
failures, requests/s and p50/p95/p99 (ms), then the errors. Usage:
``python loadtest/report.py PREFIX OUT`` (PREFIX as given to ``locust --csv``)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def main(prefix: str, out: str) -> None:
    """Write the report for ``PREFIX_stats.csv`` / ``PREFIX_failures.csv`` to ``out``."""
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    lines = [
        f"{'page':<24} {'requests':>8} {'failed':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
    ]
    for row in rows:
        name = row["Name"] if row["Type"] else "(all)"
        lines.append(
            f"{name:<24} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
    lines.append("")
    failures = Path(f"{prefix}_failures.csv")
    errors: list[dict[str, str]] = []
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            errors = list(csv.DictReader(fh))
    lines.append(f"errors: {sum(int(e['Occurrences']) for e in errors)}")
    for e in errors:
        lines.append(f"  {e['Occurrences']:>5} x {e['Method']} {e['Name']}: {e['Error'][:160]}")
    text = "\n".join(lines) + "\n"
    Path(out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
