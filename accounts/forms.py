"""Forms for login, the profile page and the work calendar."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import User


class LoginForm(AuthenticationForm):
    """Username and password, with autofocus and autocomplete hints."""

    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(forms.ModelForm):
    """The fields a user may change about themselves."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "language"]


class CalendarDayForm(forms.Form):
    """One day of the work calendar: work day or day off, with a name (春节, 公司年会)."""

    day = forms.DateField(label=_("Date"))
    is_workday = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("0", _("day off")), ("1", _("work day"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=pgettext_lazy("object name", "Name"), max_length=60, required=False
    )
    unit = forms.CharField(required=False, widget=forms.HiddenInput)


class CalendarImportForm(forms.Form):
    """An .xlsx file with a year's days for the organisation or one branch or team."""

    file = forms.FileField(label=_("File (.xlsx)"))
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)
    unit = forms.CharField(required=False, widget=forms.HiddenInput)


class ApiTokenForm(forms.Form):
    """Name and lifetime of a new API token (profile page)."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("The system that will use it, e.g. the HR sync."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        choices=[
            ("30", _("30 days")),
            ("90", _("90 days")),
            ("365", _("One year")),
            ("", _("Until revoked")),
        ],
        initial="90",
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


def add_service_errors(
    form: Any, error: ValidationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError on ``form``: each message on the field it names
    (renamed through ``aliases`` first, e.g. the service's ``occurred_at`` is the form's
    ``time``) when the form has that field, otherwise as an error of the whole form. The
    one way views show a refused write beside what the user typed."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, errors in error.error_dict.items():
        field = (aliases or {}).get(name, name)
        target = field if field in form.fields else None
        for item in errors:
            form.add_error(target, item)
