"""``python manage.py import_customers PATH [options]``: import a customer or revenue file
from the command line through the same engine as the browser (customers.import_service).

Prints one summary line ``rows=N created=C updated=U duplicates=D rejected=R``, then
each problem of a rejected row as ``row <n>: <field>: <reason>``. Exit status: 0 when
nothing was rejected, 1 when some rows were rejected (the good ones are saved), 2 when
the file as a whole was refused or an option is wrong (message on stderr).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import OrgUnit, User
from customers.import_service import import_job_create, import_job_execute
from customers.models import ImportJob

EXIT_REJECTED = 1
EXIT_REFUSED = 2


class _Rollback(Exception):
    """Raised to undo a --dry-run."""


class Command(BaseCommand):
    help = "Import customers or monthly revenue from an .xlsx, .xls or CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the file to import")
        parser.add_argument(
            "--kind", choices=ImportJob.Kind.values, default=ImportJob.Kind.CUSTOMERS
        )
        parser.add_argument("--team", help="team code: default team (and public pool)")
        parser.add_argument("--owner", help="username: owner of rows without one")
        parser.add_argument(
            "--on-duplicate",
            choices=ImportJob.OnDuplicate.values,
            default=ImportJob.OnDuplicate.SKIP,
            help="when a customer already exists (default skip)",
        )
        parser.add_argument("--date-order", choices=["ymd", "dmy", "mdy"], default="")
        parser.add_argument("--sheet", default="", help="sheet name (default: the first)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, save nothing"
        )

    def _refuse(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(EXIT_REFUSED)

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        if not path.is_file():
            self._refuse(f"No such file: {path}")
        team = owner = None
        if options["team"]:
            team = OrgUnit.objects.filter(code=options["team"], kind=OrgUnit.Kind.TEAM).first()
            if team is None:
                self._refuse(f"Unknown team code: {options['team']}")
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"], is_active=True).first()
            if owner is None:
                self._refuse(f"Unknown or inactive user: {options['owner']}")
        job: ImportJob | None = None
        # A dry run is one transaction rolled back at the end; a real run commits chunk
        # by chunk, so a crash keeps what was saved (import_job_execute).
        outer = transaction.atomic() if options["dry_run"] else contextlib.nullcontext()
        try:
            with outer:
                with path.open("rb") as fh:
                    job = import_job_create(
                        by=None,
                        upload=File(fh, name=path.name),
                        kind=str(options["kind"]),
                        options={
                            "team": team,
                            "owner": owner,
                            "on_duplicate": options["on_duplicate"],
                            "date_order": options["date_order"],
                            "sheet": options["sheet"],
                        },
                    )
                job = import_job_execute(job=job)
                if options["dry_run"]:
                    raise _Rollback
        except ValidationError as exc:
            self._refuse(" ".join(exc.messages))
        except _Rollback:
            pass
        finally:
            if options["dry_run"] and job is not None and job.file:
                job.file.delete(save=False)
                if job.error_file:
                    job.error_file.delete(save=False)
        assert job is not None  # noqa: S101 - set above or SystemExit
        if job.status == ImportJob.Status.FAILED:
            self._refuse(job.message)
        self.stdout.write(
            f"rows={job.total_rows} created={job.created_count} updated={job.updated_count} "
            f"duplicates={job.duplicate_count} rejected={job.rejected_count}"
        )
        for error in job.errors or []:
            fld = error.get("field")
            where = f"{fld}: " if fld else ""
            self.stdout.write(f"row {error['row']}: {where}{error['reason']}")
        if job.rejected_count:
            raise SystemExit(EXIT_REJECTED)
