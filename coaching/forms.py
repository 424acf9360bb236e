"""Forms of the coaching pages. Choices are limited to what the viewer may see; bad input
shows field errors, never a 500."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from journals.models import Visit
from kpi.templatetags.kpi_format import metric_label

from .effect import EFFECT_METRICS
from .models import CauseCategory, CoachingPlan, MeasureKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "form-control"})


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


def metric_choices() -> list[tuple[str, str]]:
    """(code, translated label) of the KPIs a plan can watch."""
    return [(code, metric_label(code)) for code in EFFECT_METRICS]


class PlanChoiceField(forms.ModelChoiceField):
    """A coaching plan shown as "coachee: problem" (the problem cut to 40 characters)."""

    def label_from_instance(self, obj: CoachingPlan) -> str:
        return f"{obj.coachee.display_name or obj.coachee.username}: {obj.problem_text[:40]}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name or obj.username


class PlanForm(forms.Form):
    """A coaching plan: coachee, problem and evidence, cause category, dates, KPIs."""

    coachee = UserChoiceField(queryset=User.objects.none(), label=_("Coachee"), widget=_select())
    problem = forms.CharField(label=_("Problem"), widget=_text(2), max_length=2000)
    evidence = forms.CharField(label=_("Evidence"), widget=_text(4), required=False)
    cause_category = forms.ChoiceField(
        label=_("Cause category"), choices=CauseCategory.choices, widget=_select()
    )
    start = forms.DateField(label=_("Start"), widget=DATE)
    end = forms.DateField(label=_("End"), widget=DATE)
    effect_metrics = forms.MultipleChoiceField(
        label=_("KPIs to watch"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Compared over equal windows before and during the plan."),
    )

    def __init__(self, *args: object, coachees: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["coachee"].queryset = coachees  # type: ignore[attr-defined]
        self.fields["effect_metrics"].choices = metric_choices()  # type: ignore[attr-defined]

    # "The end is not before the start" is checked by coaching.services.plan_create.


class MeasureForm(forms.Form):
    """A coaching, training or support item; "accompany a visit" links a visit record."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MeasureKind.choices, widget=_select())
    description = forms.CharField(label=_("What"), widget=_text(2), max_length=2000)
    due = forms.DateField(label=_("Date"), widget=DATE, required=False)
    visit = forms.ModelChoiceField(
        queryset=Visit.objects.none(),
        label=_("Accompanied visit"),
        required=False,
        widget=_select(),
    )

    def __init__(self, *args: object, plan: CoachingPlan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        visits = (
            Visit.objects.filter(rep_id=plan.coachee_id)
            .select_related("customer")
            .order_by("-occurred_at")
        )
        self.fields["visit"].queryset = visits  # type: ignore[attr-defined]
        self.fields["visit"].label_from_instance = lambda v: (  # type: ignore[attr-defined]
            f"{v.occurred_at:%Y-%m-%d} {v.customer.name}"
        )


class GoalForm(forms.Form):
    """A goal: a KPI, a target value and a date."""

    metric = forms.ChoiceField(label=_("KPI"), choices=(), widget=_select())
    target_value = forms.DecimalField(
        label=_("Target value"),
        max_digits=14,
        decimal_places=4,
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
        help_text=_("Rates as fractions: 0.3 = 30%."),
    )
    due = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["metric"].choices = metric_choices()  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    """A follow-up session: date, notes, next step."""

    held_on = forms.DateField(label=_("Date"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), widget=_text(3))
    next_step = forms.CharField(
        label=_("Next step"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class TalkForm(forms.Form):
    """A one-on-one talk, optionally for a coaching plan."""

    rep = UserChoiceField(queryset=User.objects.none(), label=_("With"), widget=_select())
    plan = PlanChoiceField(
        queryset=CoachingPlan.objects.none(),
        label=_("Coaching plan"),
        required=False,
        widget=_select(),
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    notes = forms.CharField(label=_("What we talked about"), widget=_text(4))
    agreed = forms.CharField(label=_("What we agreed"), widget=_text(2), required=False)

    def __init__(
        self,
        *args: object,
        reps: QuerySet[User],
        plans: QuerySet[CoachingPlan],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]


class RecognitionForm(forms.Form):
    """Recognise a specific behaviour and say what it did for the team."""

    rep = UserChoiceField(queryset=User.objects.none(), label=_("Who"), widget=_select())
    behaviour = forms.CharField(label=_("What they did"), widget=_text(2), max_length=1000)
    impact = forms.CharField(label=_("What it did for the team"), widget=_text(2), max_length=1000)
    source = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    #: A suggestion's texts as codes with values (coaching.services.recognition_give).
    message = forms.JSONField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, reps: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]
