"""Writes of the records kept in a customer file besides the customer itself: contacts,
products in use and needed, timeline notes, contracts and service evaluations
(docs/domain, section 5). Re-exported by ``customers.services``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.scoping import team_of
from salesops.events import CustomerChanged, publish

from .models import Contact, Contract, Customer, CustomerNote, ProductUsage, ServiceEvaluation


@transaction.atomic
def contact_create(*, customer: Customer, by: User | None, **fields: object) -> Contact:
    """Add a contact to ``customer``. Marking it the telecom project owner (通信项目负责人)
    unmarks the previous one, so there is at most one."""
    contact = Contact(customer=customer, **fields)
    contact.full_clean()
    if contact.is_project_owner:
        Contact.objects.filter(customer=customer, is_project_owner=True).update(
            is_project_owner=False
        )
    contact.save()
    return contact


@transaction.atomic
def product_usage_create(*, customer: Customer, by: User | None, **fields: object) -> ProductUsage:
    """Record a product the customer uses now or needs (docs/domain, section 5)."""
    usage = ProductUsage(customer=customer, **fields)
    usage.full_clean()
    usage.save()
    return usage


@transaction.atomic
def customer_note_create(
    *, customer: Customer, by: User | None, kind: str, text: str, at: dt.datetime | None = None
) -> CustomerNote:
    """Add a note, company-news or development entry to the customer's timeline.

    Company news also becomes the customer's ``latest_news`` (企业最新动态).
    """
    note = CustomerNote(
        customer=customer, kind=kind, text=text, author=by, created_at=at or timezone.now()
    )
    # A note written by the system (``by`` None: escalation, automatic release) has no author.
    note.full_clean(exclude=["author"] if by is None else None)
    note.save()
    if kind == CustomerNote.Kind.NEWS:
        customer.latest_news = text
        customer.save(update_fields=["latest_news", "updated_at"])
    return note


@transaction.atomic
def contract_create(*, customer: Customer, by: User | None, **fields: object) -> Contract:
    """Record a signed contract (签约记录), attributed to the customer's owner and that
    owner's team on the signing date (docs/domain, section 9, Attribution)."""
    contract = Contract(customer=customer, **fields)
    contract.rep = customer.owner
    contract.team = team_of(customer.owner, contract.signed_on) if contract.signed_on else None
    contract.team = contract.team or customer.team
    contract.full_clean()
    contract.save()
    if contract.team_id is not None and contract.signed_on is not None:
        # The KPIs recompute this customer's sales revenue (docs/architecture.md, "Events").
        when = timezone.make_aware(dt.datetime.combine(contract.signed_on, dt.time(12)))
        publish(
            CustomerChanged(
                customer_id=customer.pk, team_ids=(contract.team_id,), when=when, reason="contract"
            )
        )
    return contract


@transaction.atomic
def evaluation_create(
    *, customer: Customer, by: User | None, **fields: object
) -> ServiceEvaluation:
    """Record the customer's evaluation of our service (服务评价), score 1-5."""
    evaluation = ServiceEvaluation(customer=customer, author=by, **fields)
    evaluation.full_clean()
    evaluation.save()
    return evaluation
