"""Forms for login and the profile page."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

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
        fields = ["display_name", "email", "phone"]


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
