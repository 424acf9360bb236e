"""Forms of the project pages. They hold shapes only; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.labels import choices_of
from accounts.models import User
from customers.models import Contact, Customer
from domain import projects as rules

DATE = forms.DateInput(attrs={"type": "date"})


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            f.widget.attrs.setdefault("class", css)


class ProjectForm(StyledForm):
    """A new project: a visible group customer, owner, value and signing date."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), label=_("Customer"))
    name = forms.CharField(label=_("Project name"), max_length=200, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"))
    expected_value = forms.DecimalField(
        label=_("Expected monthly value (CNY)"), max_digits=14, decimal_places=2, min_value=0
    )
    expected_signing = forms.DateField(label=_("Expected signing date"), widget=DATE)

    def __init__(
        self, *args: Any, customers: QuerySet[Customer], owners: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class PointForm(StyledForm):
    """An update of a control point."""

    status = forms.ChoiceField(label=_("Status"), choices=choices_of(rules.POINT_STATUSES))
    text = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Owner"), required=False)
    start = forms.DateField(label=_("Start"), widget=DATE, required=False)
    due = forms.DateField(label=_("Due date"), widget=DATE, required=False)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    override_note = forms.CharField(
        label=_("Override note (supervisor)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Only a supervisor may mark a point done before the earlier ones."),
    )

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ChainForm(StyledForm):
    """A person of the decision chain: an existing contact or a new one."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), label=_("Contact"), required=False
    )
    new_name = forms.CharField(label=_("or a new contact's name"), max_length=100, required=False)
    new_title = forms.CharField(label=_("Title"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=choices_of(rules.DECISION_ROLES))
    attitude = forms.ChoiceField(
        label=_("Attitude"), choices=choices_of(rules.ATTITUDES), initial="unknown"
    )
    order = forms.IntegerField(label=_("Order of decision"), min_value=1, max_value=99, initial=1)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]


class DocumentForm(StyledForm):
    """A document version upload (PDF or Office)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=choices_of(rules.DOCUMENT_KINDS))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("The same kind and title adds a new version; every version is kept."),
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}),
    )


class CompetitorForm(StyledForm):
    """A competitor, their offer and our counter-measure."""

    name = forms.CharField(label=_("Competitor"), max_length=100)
    offer = forms.CharField(
        label=_("Their offer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    counter_measure = forms.CharField(
        label=_("Our counter-measure"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SupportForm(StyledForm):
    """A support request."""

    kind = forms.ChoiceField(label=_("Kind"), choices=choices_of(rules.SUPPORT_KINDS))
    addressed_to = forms.ChoiceField(label=_("To"), choices=choices_of(rules.SUPPORT_TARGETS))
    question = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(StyledForm):
    """The answer to a support request."""

    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(StyledForm):
    """The project's status."""

    status = forms.ChoiceField(label=_("Status"), choices=choices_of(rules.PROJECT_STATUSES))
