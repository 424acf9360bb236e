"""What an import job can fill: fields per kind, their labels, and how row values map
to customer and contact columns."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..models import Contact, Customer, ImportJob, RevenueRecord

PREVIEW_ROWS = 20
"""Rows shown on the preview page."""
CHUNK_ROWS = 1000
"""Fewest rows written per transaction; progress is saved after each chunk."""
MAX_CHUNK_ROWS = 5000
"""Most rows written per transaction."""
PROGRESS_STEPS = 20
"""A large file is written in about this many chunks (between CHUNK_ROWS and
MAX_CHUNK_ROWS rows each): fewer commits rewrite the same index pages less often
(SQLite: a quarter less insert time at 5,000 rows than at 1,000), and the progress bar
still moves every 5%."""


def chunk_rows_for(total: int) -> int:
    """Rows per chunk for an import of ``total`` rows: ``total / PROGRESS_STEPS`` rounded
    up, at least :data:`CHUNK_ROWS` and at most :data:`MAX_CHUNK_ROWS`."""
    return max(CHUNK_ROWS, min(MAX_CHUNK_ROWS, -(-total // PROGRESS_STEPS)))


# Fields the admin can map a column to, per kind, in the order of the mapping selects.
CUSTOMER_FIELDS: tuple[str, ...] = (
    "name",
    "short_name",
    "credit_code",
    "external_code",
    "industry",
    "size",
    "segment",
    "province",
    "city",
    "address",
    "website",
    "source",
    "listed_on",
    "founded_on",
    "notes",
    "needs",
    "latest_news",
    "contact_name",
    "contact_phone",
    "contact_phone2",
    "contact_email",
    "owner",
    "team",
    "stage",
    "stage_date",
)
REVENUE_FIELDS: tuple[str, ...] = (
    "credit_code",
    "external_code",
    "name",
    "month",
    "product",
    "billed",
    "notes",
)
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ImportJob.Kind.CUSTOMERS: CUSTOMER_FIELDS,
    ImportJob.Kind.REVENUE: REVENUE_FIELDS,
}

FIELD_LABELS: dict[str, Promise] = {
    "name": gettext_lazy("Customer name"),
    "short_name": gettext_lazy("Short name"),
    "credit_code": gettext_lazy("Unified social credit code"),
    "external_code": gettext_lazy("Customer code"),
    "industry": gettext_lazy("Industry"),
    "size": gettext_lazy("Size"),
    "segment": gettext_lazy("Segment"),
    "province": gettext_lazy("Province"),
    "city": gettext_lazy("City"),
    "address": gettext_lazy("Address"),
    "website": gettext_lazy("Website"),
    "source": gettext_lazy("Source"),
    "listed_on": gettext_lazy("Listed on"),
    "founded_on": gettext_lazy("Founded on"),
    "notes": gettext_lazy("Notes"),
    "needs": gettext_lazy("Needs analysis"),
    "latest_news": gettext_lazy("Latest company news"),
    "contact_name": gettext_lazy("Contact name"),
    "contact_phone": gettext_lazy("Contact phone"),
    "contact_phone2": gettext_lazy("Contact other phone"),
    "contact_email": gettext_lazy("Contact email"),
    "owner": gettext_lazy("Owner"),
    "team": gettext_lazy("Team"),
    "stage": gettext_lazy("Stage"),
    "stage_date": gettext_lazy("Stage date"),
    "month": gettext_lazy("Month"),
    "product": gettext_lazy("Product"),
    "billed": gettext_lazy("Billed"),
}

# Row value -> customer field, copied as they are.
_CUSTOMER_COPY = (
    "name",
    "short_name",
    "credit_code",
    "external_code",
    "industry",
    "size",
    "segment",
    "province",
    "city",
    "address",
    "website",
    "source",
    "listed_on",
    "founded_on",
    "notes",
    "needs",
    "latest_news",
)
_CONTACT_COPY = {
    "contact_name": "name",
    "contact_phone": "phone",
    "contact_phone2": "phone2",
    "contact_email": "email",
}


def _max_lengths() -> dict[str, int]:
    lengths: dict[str, int] = {}
    for fld in _CUSTOMER_COPY:
        max_length = getattr(Customer._meta.get_field(fld), "max_length", None)
        if max_length:
            lengths[fld] = max_length
    for fld, model_field in _CONTACT_COPY.items():
        lengths[fld] = getattr(Contact._meta.get_field(model_field), "max_length", 0)
    lengths["product"] = getattr(RevenueRecord._meta.get_field("product"), "max_length", 0)
    return lengths


_MAX_LENGTHS = _max_lengths()
_RELEASED: dict[str, object] = {}  # values of a row already written (never mutated)
_KEY_LABELS = {
    "credit_code": gettext_lazy("credit code"),
    "external_code": gettext_lazy("customer code"),
    "phone": gettext_lazy("contact phone"),
    "name": gettext_lazy("name"),
}
