"""Forms of the customer file pages. They validate input only; views call services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, active_memberships

from .models import (
    STAGE_ORDER,
    Contact,
    Contract,
    Customer,
    CustomerNote,
    ProductUsage,
    ServiceEvaluation,
    Stage,
    StageSetting,
)
from .services import EDITABLE_FIELDS, required_field_names
from .widgets import CustomerFilterForm
from .widgets import bootstrap as _bootstrap

__all__ = ["CustomerFilterForm"]

TEXTAREA = {"rows": 3}


class CustomerForm(forms.ModelForm):
    """Company data of a customer file (docs/domain section 5). On create, a supervisor
    or admin also picks the owner (blank: the team's public pool) and, when they have
    more than one team, the team; everyone may give the stage the customer is at."""

    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody: public pool"),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none(), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[(s.value, s.label) for s in Stage if s != Stage.LOST],
        initial=Stage.LEAD,
    )

    class Meta:
        model = Customer
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs=TEXTAREA),
            "needs": forms.Textarea(attrs=TEXTAREA),
            "latest_news": forms.Textarea(attrs=TEXTAREA),
            "listed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, scope: Scope, user: User, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.user = user
        self.creating = creating
        if not creating:
            for name in ("owner", "team", "stage"):
                del self.fields[name]
        else:
            self._setup_owner_and_team()
            first = [n for n in ("owner", "team", "stage") if n in self.fields]
            self.order_fields(["name", "short_name", *first])
        _bootstrap(self)

    def _allowed_team_ids(self) -> list[int] | None:
        """Teams the viewer may create customers in; None: every team (admin)."""
        if self.scope.is_admin:
            return None
        return sorted(self.scope.supervised_team_ids | self.scope.rep_team_ids)

    def _setup_owner_and_team(self) -> None:
        scope = self.scope
        teams = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, is_active=True).order_by("name")
        allowed = self._allowed_team_ids()
        if allowed is not None:
            teams = teams.filter(pk__in=allowed)
        if scope.is_admin or scope.is_supervisor:
            reps = Membership.objects.filter(
                active_memberships(scope.day), role=Membership.Role.REP
            )
            if not scope.is_admin:
                reps = reps.filter(unit_id__in=sorted(scope.supervised_team_ids))
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(
                is_active=True, pk__in=reps.values("user_id")
            ).order_by("display_name", "username")
        else:
            del self.fields["owner"]
        if scope.is_admin or len(scope.supervised_team_ids) > 1:
            cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
            self.fields["team"].help_text = _("Leave empty to use the owner's team.")
        else:
            del self.fields["team"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.creating:
            return data
        team = data.get("team")
        if "owner" not in self.fields:
            data["owner"] = self.user
            team = None
        if team is None and data.get("owner") is None:
            home = self.scope.home_team_id
            if home is None:
                self.add_error("team", _("Choose the team whose public pool gets the customer."))
            else:
                data["team"] = OrgUnit.objects.get(pk=home)
        # The business rules (no visible duplicate, an owner who is a rep of the team) are
        # applied by customers.services.customer_create, which the view calls with the scope.
        return data


class ContactForm(forms.ModelForm):
    """A contact at the customer (联系人), possibly the telecom project owner."""

    class Meta:
        model = Contact
        fields = [
            "name",
            "title",
            "phone",
            "phone2",
            "email",
            "decision_role",
            "is_project_owner",
            "notes",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ProductForm(forms.ModelForm):
    """A product the customer uses now or needs."""

    class Meta:
        model = ProductUsage
        fields = ["product", "status", "provider", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class NoteForm(forms.ModelForm):
    """A note, a piece of company news or a development step for the timeline."""

    class Meta:
        model = CustomerNote
        fields = ["kind", "text"]
        widgets = {"text": forms.Textarea(attrs=TEXTAREA)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ContractForm(forms.ModelForm):
    """A signed contract: date, products, monthly value and term."""

    class Meta:
        model = Contract
        fields = ["signed_on", "products", "monthly_value", "term_months"]
        widgets = {"signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.DecimalField, self.fields["monthly_value"]).min_value = 0
        self.fields["monthly_value"].widget.attrs["min"] = "0"
        _bootstrap(self)

    def clean_monthly_value(self) -> Any:
        value = self.cleaned_data["monthly_value"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("The monthly value cannot be negative."))
        return value


class EvaluationForm(forms.ModelForm):
    """The customer's evaluation of our service, 1 (poor) to 5 (excellent)."""

    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        choices=[(i, f"{i} / 5") for i in range(5, 0, -1)],
    )

    class Meta:
        model = ServiceEvaluation
        fields = ["evaluated_on", "score", "text"]
        widgets = {
            "evaluated_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class StageForm(forms.Form):
    """Move the customer to another stage, with a reason. Fields the target stage needs
    (StageSetting.required_fields) that are still empty can be filled in right here, so
    nothing typed is lost when the stage refuses."""

    to_stage = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the customer is lost or moves back."),
    )

    def __init__(
        self,
        *args: Any,
        customer: Customer,
        settings_by_stage: dict[str, StageSetting],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        cast(forms.ChoiceField, self.fields["to_stage"]).choices = [
            (s.value, s.label) for s in Stage if s.value != customer.stage
        ]
        self.extra_field_names: list[str] = []
        needed_for: dict[str, list[str]] = {}
        for stage in Stage:
            for name in required_field_names(settings_by_stage, [stage.value]):
                if not str(getattr(customer, name, "") or "").strip():
                    needed_for.setdefault(name, []).append(str(stage.label))
        for name, stages in needed_for.items():
            model_field = cast(models.Field, Customer._meta.get_field(name))
            form_field = model_field.formfield(required=False)
            if form_field is None:
                continue
            if isinstance(form_field.widget, forms.Textarea):
                form_field.widget.attrs.update(TEXTAREA)
            form_field.help_text = _("Needed to enter: %(stages)s") % {"stages": ", ".join(stages)}
            self.fields[name] = form_field
            self.extra_field_names.append(name)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        to_stage = data.get("to_stage")
        if not to_stage:
            return data
        backwards = to_stage == Stage.LOST or (
            self.customer.stage in STAGE_ORDER
            and STAGE_ORDER.get(to_stage, 99) < STAGE_ORDER[self.customer.stage]
        )
        if backwards and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the customer is lost or moves back."))
        return data

    @property
    def extra_values(self) -> dict[str, Any]:
        """The required customer fields filled in with the stage change."""
        return {n: self.cleaned_data.get(n) for n in self.extra_field_names}


class ReassignForm(forms.Form):
    """A supervisor gives the customer to another rep of its team, with a reason."""

    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(
            pk__in=[u.pk for u in candidates]
        )
        cast(forms.ModelChoiceField, self.fields["owner"]).choices = [("", "---------")] + [
            (u.pk, str(u)) for u in candidates
        ]
        _bootstrap(self)
