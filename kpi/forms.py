"""Forms of the KPI pages: target import upload, analysis text, comments."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TargetImportForm(forms.Form):
    """Upload of a targets workbook (.xlsx, .xls or .csv)."""

    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}
        ),
        help_text=_("Columns: rep (username) or team (code), month (YYYY-MM), metric, value."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class AnalysisPlanForm(forms.Form):
    """Next month's plan of a monthly analysis; gap fields are added per metric."""

    plan = forms.CharField(
        label=_("Next month's plan"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, metrics: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.gap_fields: list[str] = []
        for metric, label in metrics:
            name = f"gap_{metric}"
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.gap_fields.append(name)

    def gaps(self) -> dict[str, str]:
        """{metric: explanation} from the cleaned data."""
        return {n[4:]: self.cleaned_data.get(n, "") for n in self.gap_fields}


class CommentForm(forms.Form):
    """A comment on a monthly analysis."""

    text = forms.CharField(
        label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
