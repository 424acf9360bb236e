"""Forms of the import pages (admins only). They validate input; views call
customers.import_service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, User

from .import_service import FIELD_LABELS, KIND_FIELDS
from .importing import HEADER_SCAN_ROWS
from .models import ImportJob

DATE_ORDER_CHOICES = [
    ("", _("Automatic (ambiguous dates are rejected)")),
    ("ymd", _("Year-month-day")),
    ("dmy", _("Day/month/year")),
    ("mdy", _("Month/day/year")),
]


def _bootstrap(form: forms.BaseForm) -> None:
    for fld in form.fields.values():
        widget = fld.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class ImportUploadForm(forms.Form):
    """Upload a customer or revenue file with the import's options."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx, .xls) or CSV (UTF-8 or GBK); the first rows may be titles."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.txt"}),
    )
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportJob.Kind.choices, initial="customers"
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("From the owner or the file"),
        help_text=_("Customers without an owner go to this team's public pool."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("From the file (else public pool)"),
    )
    to_pool = forms.BooleanField(
        label=_("Import straight into the public pool (公海)"),
        required=False,
        help_text=_(
            "New customers get no owner: the file's owner column and the owner above are "
            "not used. Each row needs a team, its own or the one chosen above."
        ),
    )
    on_duplicate = forms.ChoiceField(
        label=_("When a customer already exists"),
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.SKIP,
        help_text=_(
            "Matched by credit code, customer code, contact phone or name. Revenue rows "
            "always replace the same customer's month and product."
        ),
    )
    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DATE_ORDER_CHOICES, required=False
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        max_length=100,
        required=False,
        help_text=_("Leave blank for the first sheet."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            kind=OrgUnit.Kind.TEAM, is_active=True
        ).order_by("name")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "display_name", "username"
        )
        self.fields["owner"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.name} ({u.username})"
        )
        _bootstrap(self)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into "
                    "smaller files."
                )
                % {"size": upload.size / (1024 * 1024), "limit": limit / (1024 * 1024)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to_pool"):
            if data.get("owner"):
                self.add_error("owner", _("Choose no owner to import into the public pool."))
            if data.get("kind") != ImportJob.Kind.CUSTOMERS:
                self.add_error("to_pool", _("Only customers can go into the public pool."))
        return data

    def options(self) -> dict[str, object]:
        """The import options for import_service.import_job_create."""
        data = self.cleaned_data
        keys = ("team", "owner", "on_duplicate", "date_order", "sheet", "to_pool")
        return {k: data.get(k) for k in keys}


HEADER_AUTO = "auto"
HEADER_NONE = "0"


def header_row_choices(detected: int | None = None) -> list[tuple[str, Any]]:
    """Choices of the header row select: detected, no header row, rows 1 to 30."""
    auto: Any = _("Detect automatically")
    if detected is not None:
        auto = (
            _("Detect automatically (row %(row)d)") % {"row": detected}
            if detected
            else _("Detect automatically (no header row)")
        )
    rows = [(str(n), _("Row %(row)d") % {"row": n}) for n in range(1, HEADER_SCAN_ROWS + 1)]
    return [(HEADER_AUTO, auto), (HEADER_NONE, _("No header row: every row is data")), *rows]


class ImportMappingForm(forms.Form):
    """The column mapping of a job in preview: one select per column of the file, plus
    the header row, the date order and the sheet."""

    header_row = forms.ChoiceField(
        label=_("Header row"),
        choices=header_row_choices,
        required=False,
        help_text=_("Changing it maps the columns again from that row's headers."),
    )
    date_order = forms.ChoiceField(
        label=_("Date order"), choices=DATE_ORDER_CHOICES, required=False
    )

    def __init__(
        self,
        *args: Any,
        job: ImportJob,
        columns: list[Any],
        sheet_names: list[str],
        detected_header: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        self.columns = columns
        choices = [("", _("Ignore this column"))] + [
            (f, FIELD_LABELS[f]) for f in KIND_FIELDS[job.kind]
        ]
        for column in columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.header or _("(no header)"),
                choices=choices,
                required=False,
                initial=column.field or "",
            )
        self.fields["date_order"].initial = job.date_order
        header = self.fields["header_row"]
        header.choices = header_row_choices(detected_header)  # type: ignore[attr-defined]
        header.initial = HEADER_AUTO if job.header_row is None else str(job.header_row)
        if len(sheet_names) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"),
                choices=[(n, n) for n in sheet_names],
                initial=job.sheet,
                required=False,
            )
        _bootstrap(self)
        for column in columns:
            self.fields[f"col_{column.index}"].widget.attrs["class"] = "form-select form-select-sm"

    def column_fields(self) -> list[tuple[Any, forms.BoundField]]:
        """(column, bound select) pairs in column order, for the preview table head."""
        return [(c, self[f"col_{c.index}"]) for c in self.columns]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        seen: dict[str, str] = {}
        for column in self.columns:
            fld = data.get(f"col_{column.index}")
            if not fld:
                continue
            if fld in seen:
                self.add_error(
                    f"col_{column.index}",
                    _("%(field)s is already chosen for column %(other)s.")
                    % {"field": FIELD_LABELS[fld], "other": seen[fld]},
                )
            seen[fld] = column.header or str(column.index + 1)
        return data

    def chosen_header_row(self) -> int | None:
        """The chosen header row: None to detect it, 0 for none, N for row N."""
        value = self.cleaned_data.get("header_row") or HEADER_AUTO
        return None if value == HEADER_AUTO else int(value)

    def mapping(self) -> dict[int, str | None]:
        """``{column index: field or None}`` from the cleaned selects."""
        return {c.index: self.cleaned_data.get(f"col_{c.index}") or None for c in self.columns}


class BillingMonthForm(forms.Form):
    """An admin closes a past billing month (``YYYY-MM``)."""

    month = forms.CharField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_month(self) -> dt.date:
        text = self.cleaned_data["month"].strip()
        try:
            year, month = text.split("-")[:2]
            return dt.date(int(year), int(month), 1)
        except ValueError:
            raise forms.ValidationError(_("Give a month like 2026-10.")) from None
