"""Forms of the journal pages. Field errors are shown next to the field; a bad value
never gives a 500 (views turn service ValidationErrors into form errors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from accounts.labels import choices_of
from accounts.models import User
from customers.models import Customer, Stage
from domain import visits as domain_visits

from .models import FOLLOW_UP_PURPOSES, VISIT_PURPOSES, Exemption, Journal, Purpose, Visit


class CheckInPhotoField(forms.ImageField):
    """An optional check-in photo: a real image (Pillow opens it) of at most
    ``settings.CHECKIN_PHOTO_MAX_PIXELS`` pixels, with messages that say which rule failed."""

    default_error_messages = {
        "invalid_image": _("The photo must be an image (JPEG, PNG, WebP or HEIC from a phone)."),
    }

    def to_python(self, data: Any) -> Any:
        from django.conf import settings

        try:
            upload = super().to_python(data)
        except Image.DecompressionBombError:
            raise ValidationError(_("The photo has too many pixels."), code="too_large") from None
        image = getattr(upload, "image", None)
        if image is not None:
            width, height = image.size
            limit = int(settings.CHECKIN_PHOTO_MAX_PIXELS)
            if width * height > limit:
                raise ValidationError(
                    _("The photo has too many pixels (%(mp)s megapixels; at most %(limit)s).")
                    % {"mp": round(width * height / 1e6, 1), "limit": round(limit / 1e6)},
                    code="too_large",
                )
        return upload


PLAN_PURPOSE_CHOICES = [
    (_("Visit"), [(p.value, p.label) for p in VISIT_PURPOSES]),
    (_("Appointment"), [(Purpose.APPOINTMENT.value, _("Appointment"))]),
    (_("Follow-up"), [(p.value, p.label) for p in FOLLOW_UP_PURPOSES]),
]
ADVANCE_STAGES = [
    ("", "—"),
    *[(s.value, s.label) for s in (Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT, Stage.DEAL)],
]


def _text(rows: int = 2, placeholder: str | Promise = "") -> forms.Textarea:
    attrs = {"rows": rows, "class": "form-control"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


#: The days a page or form may be asked about; outside, pages fall back to today and
#: forms answer a field error, so date arithmetic stays far from date.min/date.max.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


class JournalTextForm(forms.ModelForm):
    """The rep's own text: learning record and daily summary (autosaved)."""

    class Meta:
        model = Journal
        fields = ["learning_topic", "takeaways", "summary"]
        widgets = {
            "learning_topic": forms.TextInput(attrs={"class": "form-control"}),
            "takeaways": _text(3),
            "summary": _text(4),
        }


class CustomerPickMixin:
    """A hidden ``customer`` field filled by the picker; ``picked`` is the chosen row."""

    fields: dict[str, forms.Field]

    def _setup_customer(self, customers: QuerySet[Customer], *, required: bool) -> None:
        self.fields["customer"] = forms.ModelChoiceField(
            queryset=customers,
            required=required,
            widget=forms.HiddenInput(attrs={"data-picker-value": ""}),
            label=_("Customer"),
            error_messages={
                "required": _("Pick a customer (search by name or pinyin initials)."),
                "invalid_choice": _("Pick one of your own customers."),
            },
        )

    @property
    def picked(self) -> Customer | None:
        """The chosen customer (bound value or initial), for showing its name again."""
        form = self
        raw = form["customer"].value()  # type: ignore[index]
        if isinstance(raw, Customer):
            return raw
        if not raw:
            return None
        try:
            customers = form.fields["customer"].queryset  # type: ignore[attr-defined]
            return customers.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None


class PlanItemForm(CustomerPickMixin, forms.Form):
    """Add a planned visit, appointment or follow-up."""

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=PLAN_PURPOSE_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    preparation = forms.CharField(
        label=_("Preparation"),
        required=False,
        max_length=2000,
        widget=_text(2, _("What will you bring, ask and propose?")),
    )
    carried_from = forms.IntegerField(required=False, widget=forms.HiddenInput)
    from_visit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, customers: QuerySet[Customer], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._setup_customer(customers, required=False)
        self.order_fields(["purpose", "customer", "preparation"])

    # "A planned visit names its customer" is checked by journals.services.plan_item_add.


class VisitForm(CustomerPickMixin, forms.Form):
    """Record (or change) an actual visit, appointment or follow-up, in person or by phone,
    WeChat or e-mail (``channel``; blank reads as in person; the rules are
    ``journals.services.visit_channel_check``, docs/domain, section 3)."""

    channel = forms.ChoiceField(
        label=_("Type"),
        choices=choices_of(domain_visits.CHANNELS),
        initial=domain_visits.IN_PERSON,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check", "data-channel": ""}),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=PLAN_PURPOSE_CHOICES,
        widget=forms.Select(
            attrs={
                "class": "form-select",
                "data-in-person-only": " ".join(domain_visits.VISIT_PURPOSES),
            }
        ),
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
    )
    learned = forms.CharField(
        label=_("What was learned"),
        required=False,
        max_length=4000,
        widget=_text(2, _("Needs, decision makers, competitors, budget…")),
    )
    agreed = forms.CharField(
        label=_("What the customer agreed"), required=False, max_length=4000, widget=_text(2)
    )
    analysis = forms.CharField(
        label=_("Analysis and judgement"), required=False, max_length=4000, widget=_text(2)
    )
    next_step = forms.CharField(
        label=_("Next step"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    next_step_date = forms.DateField(
        label=_("Next step date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Visit.Outcome.choices,
        initial=Visit.Outcome.INFO,
        widget=forms.Select(attrs={"class": "form-select", "data-outcome": ""}),
    )
    new_stage = forms.ChoiceField(
        label=_("New stage"),
        choices=ADVANCE_STAGES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    needs = forms.CharField(
        label=_("Customer's needs analysis"),
        required=False,
        max_length=4000,
        widget=_text(2, _("Needed before the customer can reach intent")),
        help_text=_("Saved to the customer file; leave empty to keep what is there."),
    )
    relation = forms.ChoiceField(
        label=_("Whose customer"),
        choices=[(r.code, _(r.label_en)) for r in domain_visits.RELATIONS],
        initial=domain_visits.OWN,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        help_text=_(
            "Someone else's customer: a supervisor's accompanied visit (陪同拜访) or covering "
            "for a colleague. It counts for your activity and shows in the owner's journal."
        ),
    )
    plan_item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(
        required=False, max_digits=12, decimal_places=8, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=12, decimal_places=8, widget=forms.HiddenInput
    )
    accuracy = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    photo = CheckInPhotoField(
        label=_("Check-in photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/*", "capture": "environment", "class": "form-control"}
        ),
    )

    def __init__(
        self,
        *args: object,
        customers: QuerySet[Customer] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if customers is None:  # editing: the customer of a record does not change
            for name in ("plan_item", "latitude", "longitude", "accuracy", "photo", "relation"):
                del self.fields[name]
        else:
            self._setup_customer(customers, required=True)
            self.fields["customer"].error_messages["invalid_choice"] = _(
                "Pick one of your own customers, or one of your team's for an accompanied "
                "or covering visit."
            )
            self.order_fields(["channel", "relation", "customer", "purpose", "time"])

    @property
    def chosen_channel(self) -> str:
        """The contact type chosen (bound value or initial; blank = in person), so the page
        can show the check-in only for an in-person visit."""
        raw = self["channel"].value()
        return str(raw) if raw in domain_visits.CHANNEL_CODES else domain_visits.IN_PERSON

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Visit.Outcome.STAGE_ADVANCED and not data.get("new_stage"):
            self.add_error("new_stage", _("Choose the stage the customer reached."))
        if data.get("next_step_date") and not (data.get("next_step") or "").strip():
            self.add_error("next_step", _("Say what the next step is."))
        if "latitude" in self.fields and (data.get("latitude") is None) != (
            data.get("longitude") is None
        ):
            raise ValidationError(_("The location is incomplete; check in again."))
        return data

    def occurred_at(self, day: dt.date) -> dt.datetime:
        """The visit time as an aware datetime on the journal's local ``day``."""
        return timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["time"]))

    def record_fields(self, day: dt.date) -> dict[str, Any]:
        """The valid form as keyword arguments of ``services.visit_record`` for a journal
        of ``day`` (customer, purpose, time, notes, next step, outcome, stage, needs,
        relation, channel); the caller adds the journal, the author and, for a visit from
        the plan, the plan item and check-in."""
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "purpose": data["purpose"],
            "occurred_at": self.occurred_at(day),
            "learned": data["learned"],
            "agreed": data["agreed"],
            "analysis": data["analysis"],
            "next_step": data["next_step"],
            "next_step_date": data["next_step_date"],
            "outcome": data["outcome"],
            "new_stage": data.get("new_stage") or "",
            "needs": data.get("needs") or "",
            "relation": data.get("relation") or domain_visits.OWN,
            "channel": data.get("channel") or domain_visits.IN_PERSON,
        }


class CheckInForm(forms.Form):
    """A check-in for an existing visit: position from the browser, optional photo."""

    latitude = forms.DecimalField(max_digits=12, decimal_places=8)
    longitude = forms.DecimalField(max_digits=12, decimal_places=8)
    accuracy = forms.IntegerField(required=False, min_value=0)
    photo = CheckInPhotoField(required=False)


class EvaluationForm(forms.Form):
    evaluation = forms.CharField(
        label=_("Supervisor evaluation and advice"),
        required=False,
        max_length=4000,
        widget=_text(3),
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        widget=_text(2, _("Write a comment; @username notifies a colleague")),
    )


class CaseForm(forms.Form):
    is_case = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=300)


class ExemptionForm(forms.Form):
    """A supervisor records leave or a business trip for one of the team's members."""

    user = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=Exemption.Kind.choices)
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("start", "end"):
            if data.get(name) and not EARLIEST_DAY <= data[name] <= LATEST_DAY:
                self.add_error(name, _("Pick a date between 2000 and 2099."))  # drops it
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end cannot be before the start."))
        return data


STATUS_FILTERS = [
    ("", _("Any status")),
    ("draft", _("Draft")),
    ("submitted", _("Submitted")),
    ("reviewed", _("Reviewed")),
    ("unreviewed", _("Not reviewed yet")),
    ("late", _("Late")),
]


class JournalFilterForm(forms.Form):
    """Filters of the journal list."""

    rep = forms.ModelChoiceField(
        label=_("Rep"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=STATUS_FILTERS,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args: object, reps: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["rep"].queryset = reps  # type: ignore[attr-defined]
