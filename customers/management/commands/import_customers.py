"""``python manage.py import_customers PATH [options]``: import a customer or revenue file
from the command line through the same engine as the browser (customers.import_service).

Prints one summary line ``rows=N created=C updated=U duplicates=D rejected=R``, then
each problem of a rejected row as ``row <n>: <field>: <reason>``; the columns that are
not imported are listed on stderr. ``--pool`` imports new customers straight into
the public pool (公海) of their team, without owner. ``--header-row N|none`` picks the
header row (default: detected), ``--map 'COLUMN=FIELD'`` (repeatable) maps a column,
named by its header, its letter (A, B, ...) or its number (1, 2, ...), to a field code or
a header synonym.
``--lang zh-hans|en`` chooses the language of every message (default: the site's).

Exit status: 0 when nothing was rejected, 1 when some rows were rejected (the good ones
are saved), 2 when the file as a whole was refused, a required field has no column (one
message, not one per row) or an option is wrong (message on stderr).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import OrgUnit, User
from customers.import_messages import translate_reason
from customers.import_service import (
    FIELD_LABELS,
    import_job_create,
    import_job_execute,
    import_job_set_mapping,
    job_missing_required,
)
from customers.import_service.column_options import mapping_from_options, unmapped_columns
from customers.models import ImportJob

EXIT_REJECTED = 1
EXIT_REFUSED = 2


class _Rollback(Exception):
    """Raised to undo a --dry-run."""


def _header_row(value: str) -> int | None:
    text = value.strip().lower()
    if text in ("", "auto"):
        return None
    if text in ("none", "0"):
        return 0
    if text.isdigit():
        return int(text)
    raise CommandError(f"--header-row takes a row number, 'none' or 'auto', not {value!r}")


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
            "--header-row",
            default="auto",
            help="row number of the header row, or 'none' when the file has none "
            "(default: detected)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column (header text, letter or number) to a field, e.g. 'C=name'; "
            "repeatable",
        )
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="language of the messages (default: the site's)",
        )
        parser.add_argument(
            "--pool",
            action="store_true",
            help="new customers go straight into the public pool (no owner; each row needs "
            "its team or --team)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, save nothing"
        )

    def _refuse(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(EXIT_REFUSED)

    def handle(self, *args: object, **options: object) -> None:
        lang = str(options["lang"] or settings.LANGUAGE_CODE)
        with translation.override(lang):
            self._run(options)

    def _run(self, options: dict[str, object]) -> None:
        path = Path(str(options["path"]))
        if not path.is_file():
            self._refuse(_("No such file: %(path)s") % {"path": path})
        try:
            header_row = _header_row(str(options["header_row"]))
        except CommandError as exc:
            self._refuse(str(exc))
        team = owner = None
        if options["team"]:
            team = OrgUnit.objects.filter(code=options["team"], kind=OrgUnit.Kind.TEAM).first()
            if team is None:
                self._refuse(_("Unknown team code: %(code)s") % {"code": options["team"]})
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"], is_active=True).first()
            if owner is None:
                self._refuse(_("Unknown or inactive user: %(name)s") % {"name": options["owner"]})
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
                            "header_row": header_row,
                            "to_pool": bool(options["pool"]),
                        },
                    )
                specs = [str(s) for s in options["map"]]  # type: ignore[attr-defined]
                if specs:
                    mapping = mapping_from_options(job, specs)
                    import_job_set_mapping(job=job, mapping=mapping)
                self._check_columns(job)
                job = import_job_execute(job=job)
                if options["dry_run"]:
                    raise _Rollback
        except ValidationError as exc:
            if job is not None and job.pk and not options["dry_run"]:
                job.file.delete(save=False)
                job.delete()
            self._refuse(" ".join(exc.messages))
        except _Rollback:
            pass
        finally:
            self._cleanup(job, options)
        assert job is not None  # noqa: S101 - set above or SystemExit
        if job.status == ImportJob.Status.FAILED:
            self._refuse(job.message)
        self.stdout.write(
            f"rows={job.total_rows} created={job.created_count} updated={job.updated_count} "
            f"duplicates={job.duplicate_count} rejected={job.rejected_count}"
        )
        for error in job.errors or []:
            # The field's label in the chosen language, as the page says it (docs/domain,
            # section 5, Imports: messages); a field without one (the revenue row's
            # customer) is named by the reason itself.
            fld = str(FIELD_LABELS.get(str(error.get("field") or ""), ""))
            reason = translate_reason(error)
            line = _("row %(row)s: %(field)s: %(reason)s") if fld else _("row %(row)s: %(reason)s")
            self.stdout.write(line % {"row": error["row"], "field": fld, "reason": reason})
        if job.rejected_count:
            raise SystemExit(EXIT_REJECTED)

    def _check_columns(self, job: ImportJob) -> None:
        """List the columns not imported (stderr); refuse the file, once, when a required
        field has no column, naming the file's columns."""
        unmapped, columns = unmapped_columns(job)
        missing = job_missing_required(job)
        if missing:
            raise ValidationError(
                _(
                    "No column is mapped to %(fields)s, so every row would be rejected; "
                    "nothing was imported. The file's columns: %(columns)s. Map one with "
                    "--map 'COLUMN=%(field)s' (or choose the header row with --header-row)."
                )
                % {"fields": ", ".join(missing), "columns": columns, "field": missing[0]}
            )
        if unmapped:
            self.stderr.write(
                _("Columns not imported: %(columns)s") % {"columns": ", ".join(unmapped)}
            )

    @staticmethod
    def _cleanup(job: ImportJob | None, options: dict[str, object]) -> None:
        if options["dry_run"] and job is not None and job.file:
            job.file.delete(save=False)
            if job.error_file:
                job.error_file.delete(save=False)
