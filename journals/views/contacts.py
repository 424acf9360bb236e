"""Log a visit, phone call, WeChat or e-mail from the customer's page into the viewer's
journal of today (docs/domain, section 3, "Phone calls, WeChat and e-mails")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.scoping import local_today, team_of
from customers.models import Customer
from domain import visits as domain_visits

from .. import selectors, services
from ..forms import VisitForm
from ..models import Journal, Visit
from ._common import _form_errors_from


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form to log a contact with one customer (type selector, a phone call by
    default); POST: record it in the viewer's journal of today, started when missing, and
    go back to the customer's page (to that journal when the viewer may not see it).

    The customer must be one the viewer may follow up (``selectors.visitable_customers``:
    their own, their team's for a covering or accompanied contact), else 404; someone with
    no team today (a manager, an admin) keeps no journal: 403. When today's journal is
    submitted, GET and POST show no form but the notice and the way to amend it (the POST
    records nothing)."""
    user = request.user
    today = local_today()
    customer = get_object_or_404(
        selectors.visitable_customers(rep=user, day=today),  # type: ignore[arg-type]
        pk=pk,
    )
    if team_of(user, today) is None:  # type: ignore[arg-type]
        raise PermissionDenied(_("Only members of a team keep a journal."))
    customers = selectors.visitable_customers(rep=user, day=today).filter(pk=customer.pk)  # type: ignore[arg-type]
    own = customer.owner_id == user.pk
    # A submitted journal takes no record (``Journal.is_locked``): say so up front, with the
    # way to amend it, instead of a form refused only after it was filled in.
    journal = services.journal_of_day(rep=user, day=today)  # type: ignore[arg-type]
    if journal.is_locked():
        return render(
            request,
            "journals/contact_add.html",
            {"customer": customer, "locked_journal": journal, "own": own, "today": today},
        )
    if request.method == "POST":
        posted = request.POST.copy()
        posted["customer"] = str(customer.pk)  # the URL names the customer
        form = VisitForm(posted, customers=customers, auto_id="contact_%s")
        if form.is_valid():
            try:
                journal = services.journal_get_or_create_today(rep=user, day=today)  # type: ignore[arg-type]
                if journal.status != Journal.Status.DRAFT:
                    raise ValidationError(
                        _("Today's journal is submitted; amend it to add a record.")
                    )
                visit = services.visit_record(
                    journal=journal,
                    by=user,  # type: ignore[arg-type]
                    **form.record_fields(today),
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("%(type)s recorded in today's journal.")
                    % {"type": visit.get_channel_display()},
                )
                # Back to the customer's page when the viewer may see it, else to the
                # journal day the contact was recorded in (a covering teammate does not
                # see a colleague's customer page, docs/domain, section 3).
                if Customer.objects.visible_to(request.scope).filter(pk=customer.pk).exists():  # type: ignore[attr-defined]
                    return redirect(reverse("customers:customer_detail", args=[customer.pk]))
                return redirect(reverse("journals:journal_detail", args=[journal.pk]))
    else:
        form = VisitForm(
            customers=customers,
            auto_id="contact_%s",
            initial={
                "customer": customer.pk,
                "channel": domain_visits.PHONE,
                "purpose": domain_visits.SERVICE,
                "time": timezone.localtime().time().replace(second=0, microsecond=0),
                "outcome": Visit.Outcome.INFO,
                "relation": domain_visits.OWN if own else domain_visits.COVERING,
            },
        )
    return render(
        request,
        "journals/contact_add.html",
        {"customer": customer, "form": form, "own": own, "today": today},
    )
