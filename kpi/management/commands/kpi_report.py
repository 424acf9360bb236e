"""``python manage.py kpi_report --scope rep:USERNAME|team:CODE|branch:CODE --period
2026-10|2026-W43 [--format json|table]``: every KPI of one scope and period, read from the
snapshots.

json: one object, metric name -> value or null (rates as fractions, money as numbers with
2 decimals, no NaN). table: aligned columns metric / value / numerator / denominator /
status. Exits 1 with a message for an unknown scope or when nothing is stored.
"""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kpi.calculations import parse_period
from kpi.selectors import resolve_scope, snapshot_metrics


def _json_value(v: Any) -> Any:
    # Money is a Decimal with 2 places: a JSON number keeps it exact enough to read.
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return v


def _width(text: str) -> int:
    """Columns a terminal gives ``text``: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _text(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v % 1 else f"{v:.1f}"
    return str(v)


class Command(BaseCommand):
    help = "Print every KPI of a scope and period from the snapshots (json or table)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, help="rep:USERNAME, team:CODE or branch:CODE")
        parser.add_argument("--period", required=True, help="2026-10 (month) or 2026-W43 (week)")
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args: object, **options: object) -> None:
        try:
            period = parse_period(str(options["period"]))
            kind, scope_id = resolve_scope(str(options["scope"]))
        except (LookupError, ValueError) as exc:
            raise CommandError(str(exc.args[0] if exc.args else exc)) from exc
        metrics = snapshot_metrics(scope_kind=kind, scope_id=scope_id, period=period)
        if not metrics:
            raise CommandError(
                f"No KPI snapshots for {options['scope']} in {period.key}; run "
                f"`python manage.py compute_kpis --period {period.key} --scope {options['scope']}`"
                " first."
            )
        if options["format"] == "json":
            data = {name: _json_value(mv.value) for name, mv in sorted(metrics.items())}
            self.stdout.write(json.dumps(data, allow_nan=False, ensure_ascii=False, indent=2))
            return
        header = ("metric", "value", "numerator", "denominator", "status")
        rows = [
            (name, _text(mv.value), _text(mv.numerator), _text(mv.denominator), mv.status)
            for name, mv in sorted(metrics.items())
        ]
        widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, tuple("-" * w for w in widths), *rows]:
            cells = [
                _pad(row[0], widths[0]),
                *(_pad(row[i], widths[i], right=True) for i in (1, 2, 3)),
                _pad(row[4], widths[4]),
            ]
            self.stdout.write("  ".join(cells).rstrip())
