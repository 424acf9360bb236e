"""Forms of the people area: the list's filters, a new person, a person's details, a team,
a move between teams, a leaver's deactivation and the people import
(``accounts/views_people.py``; the rules are in ``accounts/people.py``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Membership, OrgUnit, User
from .people import ROLE_ADMIN, colleague_choices, team_branches
from .scoping import Scope, local_today


def role_choices() -> list[tuple[str, Any]]:
    """The roles a person may get: the membership roles, then admin."""
    return [*Membership.Role.choices, (ROLE_ADMIN, _("Admin"))]


def language_choices() -> list[tuple[str, Any]]:
    """The UI languages, with "browser's language" first."""
    return [("", _("The browser's language")), *settings.LANGUAGES]


def active_teams() -> QuerySet[OrgUnit]:
    """Active teams, by name."""
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("name")


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picked by its code, shown as "name (code)"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class UserChoiceField(forms.ModelChoiceField):
    """A person, shown as "name (user name)"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class _Styled:
    """Bootstrap classes on every widget (selects get form-select)."""

    fields: dict[str, forms.Field]

    def _style(self) -> None:
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class PeopleFilterForm(_Styled, forms.Form):
    """The people list's filters (GET); a bad value is dropped with a warning."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = UnitChoiceField(
        label=_("Team"), queryset=active_teams(), required=False, to_field_name="code"
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))],
    )

    def __init__(self, *args: Any, scope: Scope | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = active_teams()
        if scope is not None and not scope.is_admin:
            # Like the list (people.people_queryset): the units a manager manages.
            teams = teams.filter(pk__in=scope.managed_unit_ids | scope.managed_team_ids)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].empty_label = _("All teams")  # type: ignore[attr-defined]
        self.fields["role"].choices = [("", _("All roles")), *role_choices()]  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Name, user name, e-mail")
        self._style()


class PersonCreateForm(_Styled, forms.Form):
    """A new person: name, user name, e-mail, language, role, team and start date."""

    display_name = forms.CharField(label=_("Name"), max_length=60)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("The login: letters, digits and @.+-_ only."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    employee_no = forms.CharField(label=_("Employee number"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitChoiceField(
        label=_("Team"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Reps and supervisors: their team. Managers: a team or a branch."),
    )
    start = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["role"].choices = role_choices()  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = _("Choose a team")  # type: ignore[attr-defined]
        self.fields["unit"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            is_active=True, kind__in=[OrgUnit.Kind.TEAM, OrgUnit.Kind.BRANCH]
        ).order_by("-kind", "name")
        self.fields["start"].initial = local_today()
        self._style()


class PersonEditForm(_Styled, forms.ModelForm):
    """A person's details an admin may change (the user name stays: it is the login)."""

    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "employee_no", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self._style()


class TeamForm(_Styled, forms.Form):
    """A team: name, code, branch, segment and supervisor."""

    name = forms.CharField(label=pgettext_lazy("object name", "Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "Short and unique, letters, digits and hyphens: used in addresses and imports."
        ),
    )
    branch = UnitChoiceField(label=_("Branch"), queryset=OrgUnit.objects.none())
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    supervisor = UserChoiceField(
        label=_("Supervisor"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("From today; the former supervisor's membership ends yesterday."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = team_branches()  # type: ignore[attr-defined]
        self.fields["branch"].empty_label = _("Choose a branch")  # type: ignore[attr-defined]
        segment = OrgUnit._meta.get_field("segment")
        self.fields["segment"].choices = [("", "-"), *segment.choices]  # type: ignore[attr-defined,misc]
        self.fields["supervisor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("display_name", "username")
        self.fields["supervisor"].empty_label = _("Nobody")  # type: ignore[attr-defined]
        self._style()


class MoveForm(_Styled, forms.Form):
    """Move a rep or supervisor to another team after their last day in the current one."""

    team = UnitChoiceField(label=_("Move to team"), queryset=OrgUnit.objects.none())
    last_day = forms.DateField(
        label=_("Last day in the current team"),
        help_text=_("The new team counts from the next day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = active_teams()  # type: ignore[attr-defined]
        self.fields["team"].empty_label = _("Choose a team")  # type: ignore[attr-defined]
        self.fields["last_day"].initial = local_today()
        self._style()


class OffboardForm(_Styled, forms.Form):
    """Deactivate a leaver: last day, who takes over their customers, and why."""

    last_day = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    colleague = UserChoiceField(
        label=_("Customers go to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("A rep of the customers' team; empty: their team's public pool."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, initial="")

    def __init__(self, *args: Any, leaver: User, day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colleague"].queryset = colleague_choices(leaver, day)  # type: ignore[attr-defined]
        self.fields["colleague"].empty_label = _("The public pool")  # type: ignore[attr-defined]
        self.fields["last_day"].initial = day
        self.fields["reason"].initial = _("Left the company")
        self._style()


class PeopleImportForm(_Styled, forms.Form):
    """An .xlsx file of people (the template's columns)."""

    file = forms.FileField(label=_("File (.xlsx)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
