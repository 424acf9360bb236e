"""Turn locust's CSV statistics into the load report: one line per page with requests,
failures, requests/s and p50/p95/p99 (ms), then the errors; with ``--recompute`` a second
section, the same mix while full KPI recomputes ran (LOADTEST_RECOMPUTE=1), with each
page's p50 and p95 as a multiple of the plain run's and what ran in the background.

Usage: ``python loadtest/report.py PREFIX OUT [--recompute PREFIX2] [--background JSON]
[--load TEXT] [--load-recompute TEXT] [--cpu A B] [--cpu-recompute A B]`` (PREFIX as given
to ``locust --csv``; JSON the summary of loadtest/background.py; TEXT the load average at
the end of each phase; A and B loadtest/cpu.py snapshots at the start and end of a phase)."""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

AIM_RATIO = 1.5
"""During a full recompute the mix may be at most this much worse (p50, p95 of all pages)."""


def read_stats(prefix: str) -> list[dict[str, str]]:
    """Rows of ``PREFIX_stats.csv``; the total row's name is ``(all)``."""
    with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if not row["Type"]:
            row["Name"] = "(all)"
    return rows


def _ms(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _ratio(now: str, before: str | None) -> str:
    a, b = _ms(now), _ms(before or "")
    return f"{a / b:.2f}x" if a is not None and b else "-"


def table(rows: list[dict[str, str]], plain: list[dict[str, str]] | None = None) -> list[str]:
    """The per-page table; with ``plain`` (the plain run's rows) two more columns: p50 and
    p95 as multiples of the plain run's for the same page."""
    head = f"{'page':<24} {'requests':>8} {'failed':>6} {'req/s':>7}"
    head += f" {'p50':>6} {'p95':>6} {'p99':>6}"
    before = {r["Name"]: r for r in plain or []}
    if plain is not None:
        head += f" {'p50 vs':>7} {'p95 vs':>7}"
    lines = [head]
    for row in rows:
        line = (
            f"{row['Name']:<24} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{float(row['Requests/s']):>7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
        )
        if plain is not None:
            old = before.get(row["Name"], {})
            p50, p95 = _ratio(row["50%"], old.get("50%")), _ratio(row["95%"], old.get("95%"))
            line += f" {p50:>7} {p95:>7}"
        lines.append(line)
    return lines


def errors(prefix: str) -> list[str]:
    """The error lines of ``PREFIX_failures.csv``: a count, then one line per error."""
    failures = Path(f"{prefix}_failures.csv")
    found: list[dict[str, str]] = []
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            found = list(csv.DictReader(fh))
    lines = [f"errors: {sum(int(e['Occurrences']) for e in found)}"]
    for e in found:
        lines.append(f"  {e['Occurrences']:>5} x {e['Method']} {e['Name']}: {e['Error'][:160]}")
    return lines


def verdict(rows: list[dict[str, str]], plain: list[dict[str, str]]) -> str:
    """One line: the whole mix's p50 and p95 during the recompute against the plain run's,
    and whether both stay within :data:`AIM_RATIO`."""
    now = next((r for r in rows if r["Name"] == "(all)"), None)
    before = next((r for r in plain if r["Name"] == "(all)"), None)
    if now is None or before is None:
        return "aim: no total row"
    ratios: list[float] = []
    for key in ("50%", "95%"):
        a, b = _ms(now[key]), _ms(before[key])
        if a is None or not b:
            return "aim: no requests"
        ratios.append(a / b)
    p50, p95 = ratios
    ok = p50 <= AIM_RATIO and p95 <= AIM_RATIO
    return (
        f"aim (at most {AIM_RATIO}x worse during a full recompute): p50 {p50:.2f}x, "
        f"p95 {p95:.2f}x: {'met' if ok else 'NOT met'}"
    )


def background_lines(summary: dict[str, Any]) -> list[str]:
    """What loadtest/background.py ran during the phase."""
    lines = []
    runs = summary.get("runs", [])
    done = [r for r in runs if r.get("status") == "done" and r.get("seconds") is not None]
    lines.append(
        f"full KPI recomputes: {len(runs)} started, {len(done)} done"
        + (
            f", {sum(r['seconds'] for r in done) / len(done):.0f} s each on average (wall)"
            if done
            else ""
        )
    )
    for r in runs:
        lines.append(f"  run {r['id']}: {r['status']}, parts {r['parts']}, {r['seconds']} s")
    imports = summary.get("imports", [])
    lines.append(f"imports: {len(imports)} started")
    for j in imports:
        lines.append(
            f"  import {j['id']}: {j['status']}, {j.get('created', 0)}/{j['rows']} created, "
            f"{j['seconds']} s"
        )
    return lines


def cpu_line(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """``CPU seconds in the phase: web 40.1, worker 2.0, ...`` from two loadtest/cpu.py
    snapshots (none without them), with each role's nice value when it is not 0."""
    if not before or not after:
        return []
    parts = []
    for role in ("web", "worker", "kpiworker", "beat", "postgres"):
        if role in after:
            used = float(after[role]) - float(before.get(role, 0.0))
            niceness = after.get("nice", {}).get(role)
            parts.append(f"{role} {used:.1f}" + (f" (nice {niceness})" if niceness else ""))
    return ["CPU seconds in the phase (processes alive at its end): " + ", ".join(parts)]


def build(
    prefix: str,
    recompute: str | None = None,
    background: dict[str, Any] | None = None,
    load: str = "",
    load_recompute: str = "",
    cpu: tuple[dict[str, Any], dict[str, Any]] | None = None,
    cpu_recompute: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> str:
    """The report's text (see the module docstring)."""
    plain = read_stats(prefix)
    lines = ["== plain mix", *table(plain)]
    if load:
        lines.append(f"load average at the end: {load}")
    lines += cpu_line(*(cpu or (None, None)))
    lines += ["", *errors(prefix)]
    if recompute:
        during = read_stats(recompute)
        lines += ["", "== the same mix during full KPI recomputes (and an import)"]
        lines += table(during, plain)
        if load_recompute:
            lines.append(f"load average at the end: {load_recompute}")
        lines += cpu_line(*(cpu_recompute or (None, None)))
        lines += ["", verdict(during, plain), *background_lines(background or {})]
        lines += ["", *errors(recompute)]
    return "\n".join(lines) + "\n"


def _snapshots(paths: list[Path] | None) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if not paths or not all(p.exists() and p.stat().st_size for p in paths):
        return None
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in paths)
    return a, b


def main(argv: list[str] | None = None) -> None:
    """Write the report to OUT and print it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prefix")
    parser.add_argument("out")
    parser.add_argument("--recompute")
    parser.add_argument("--background", type=Path)
    parser.add_argument("--load", default="")
    parser.add_argument("--load-recompute", default="")
    parser.add_argument("--cpu", nargs=2, type=Path)
    parser.add_argument("--cpu-recompute", nargs=2, type=Path)
    args = parser.parse_args(argv)
    summary = None
    if args.background and args.background.exists():
        summary = json.loads(args.background.read_text(encoding="utf-8"))
    text = build(
        args.prefix,
        args.recompute,
        summary,
        args.load,
        args.load_recompute,
        _snapshots(args.cpu),
        _snapshots(args.cpu_recompute),
    )
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
