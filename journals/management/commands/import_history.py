"""``import_history PATH --by USERNAME [--dry-run] [--lang zh-hans|en]``: import visits,
follow-ups and stage changes from another CRM (``journals.history_import``).

Prints one line per row (what is attached where, or why it is refused: row, column, why),
then the summary, in the language of ``--lang``, from the page's message templates
(``journals.history_import.messages``). Exit 0 (all rows attached or
already there), 1 (some rows refused, the others imported), 2 (file refused, or the user
may not import: only admins and supervisors, within their teams).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from journals.history_import import (
    REJECT,
    HistoryFileRefused,
    HistoryPlan,
    history_import,
    history_plan,
)
from journals.history_import.messages import plan_summary, row_lines


class Command(BaseCommand):
    help = "Import visit, follow-up and stage history from another CRM's export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=".xlsx, .xls or CSV file")
        parser.add_argument("--by", required=True, help="username of the admin or supervisor")
        parser.add_argument("--dry-run", action="store_true", help="plan only, write nothing")
        parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args: object, **options: Any) -> None:
        with translation.override(options["lang"]):
            sys.exit(self._run(options))

    def _run(self, options: dict[str, Any]) -> int:
        user = User.objects.filter(username=options["by"]).first()
        if user is None:
            self.stderr.write(_("Unknown user %(username)s.") % {"username": options["by"]})
            return 2
        try:
            data = Path(options["path"]).read_bytes()
        except OSError as exc:
            self.stderr.write(str(exc))
            return 2
        action = history_plan if options["dry_run"] else history_import
        try:
            plan = action(by=user, data=data)
        except (HistoryFileRefused, PermissionDenied) as exc:
            self.stderr.write(str(exc))
            return 2
        self._print(plan, done=not options["dry_run"])
        return 1 if plan.count(REJECT) else 0

    def _print(self, plan: HistoryPlan, *, done: bool) -> None:
        for p in plan.rows:
            for line in row_lines(p):
                self.stdout.write(line)
        self.stdout.write(plan_summary(plan, done=done))
