"""The evidence links of fired diagnosis findings (docs/domain, section 8): the customers a
rep owns now for the symptoms that link them, the customer names and the journal days of
the other links, read once for all the findings of a diagnosis pass
(``coaching.services.findings``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from customers.models import Customer, Stage
from journals.models import Journal

from .. import diagnosis
from ..diagnosis import EVIDENCE_LIMIT

#: Evidence keys of the customers a rep owns now, whatever the period (open targets and
#: relationships, and intents); read only for the findings that link them.
OWNED_KEYS = ("targets", "intent")


def _owned(rep_ids: Iterable[int]) -> dict[tuple[int, str], list[int]]:
    """The open targets (target and relationship stage) and the intents each rep owns now:
    ``{(rep id, "targets" | "intent"): [customer id, ...]}``, the first ``EVIDENCE_LIMIT``
    of each by id.

    Read as one ``UNION ALL`` of ``ORDER BY id LIMIT`` reads per rep and stage (SQL, as the
    ORM cannot slice the parts of a union on SQLite), each a range of the (owner, stage)
    index, in chunks of ``_OWNED_CHUNK`` reps: a window over all the reps' customers costs
    five times as much."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    stages = (Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT)
    part = (
        f"SELECT * FROM (SELECT owner_id, stage, id FROM {table} "  # noqa: S608 - model's table
        f"WHERE owner_id = %s AND stage = %s ORDER BY id LIMIT {int(EVIDENCE_LIMIT)}) AS p{{}}"
    )
    ids = sorted(set(rep_ids))
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    with connection.cursor() as cur:
        for at in range(0, len(ids), _OWNED_CHUNK):
            chunk = [(rid, stage) for rid in ids[at : at + _OWNED_CHUNK] for stage in stages]
            sql = " UNION ALL ".join(part.format(i) for i in range(len(chunk)))
            cur.execute(sql, [v for pair in chunk for v in pair])
            for rid, stage, cid in cur.fetchall():
                found[(rid, "intent" if stage == Stage.INTENT else "targets")].append(cid)
    return {key: sorted(cids)[:EVIDENCE_LIMIT] for key, cids in found.items()}


#: Reps per read of :func:`_owned` (three parts each; SQLite allows 500 parts in a union).
_OWNED_CHUNK = 100


def fill_evidence(fired: Sequence[Any]) -> None:
    """Complete the evidence of the fired findings: the customers their rep owns for the
    symptoms that link them (``OWNED_KEYS``), the customer names and the journal days of
    the other links (at most three queries for all of them)."""
    owned_by = [d for d in fired if diagnosis.EVIDENCE_KEYS[d.symptom][0] in OWNED_KEYS]
    if owned_by:
        owned = _owned({d.rep_id for d in owned_by})
        for d in owned_by:
            key = diagnosis.EVIDENCE_KEYS[d.symptom][0]
            d.customers = [{"id": cid, "name": ""} for cid in owned.get((d.rep_id, key), [])]
    customers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    journals: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in fired:
        for c in d.customers:
            customers[c["id"]].append(c)
        for j in d.journals:
            journals[j["id"]].append(j)
    for cid, name in _column_by_id(Customer, "name", customers):
        for c in customers[cid]:
            c["name"] = name
    day_field = Journal._meta.get_field("day")
    for jid, day in _column_by_id(Journal, "day", journals):
        value = day_field.to_python(day)  # SQLite gives text, PostgreSQL a date
        for j in journals[jid]:
            j["day"] = value.isoformat()


#: Ids per read of :func:`_column_by_id` on a database without an array parameter (under
#: SQLite's old 999-parameter limit).
_IDS_CHUNK = 900


def _column_by_id(model: Any, column: str, ids: Iterable[int]) -> list[tuple[int, Any]]:
    """``(id, value)`` of one column of ``model`` for ``ids``: one read with the ids as
    ONE parameter (a JSON array on SQLite, an integer array on PostgreSQL; the ORM's
    ``pk__in`` prepares each of thousands of ids in Python, six times the cost of the read
    itself, and a list of placeholders costs SQLite as much to parse), else in chunks of
    ``_IDS_CHUNK`` placeholders."""
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(model._meta.get_field(column).column)
    wanted = sorted(set(ids))
    if not wanted:
        return []
    select = f"SELECT id, {name} FROM {table} WHERE id "  # noqa: S608 - model metadata
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(
                select + "IN (SELECT value FROM json_each(%s))",  # noqa: S608 - model metadata
                [json.dumps(wanted)],
            )
            return list(cur.fetchall())
        if connection.vendor == "postgresql":
            cur.execute(select + "= ANY(%s)", [wanted])
            return list(cur.fetchall())
        out: list[tuple[int, Any]] = []
        for at in range(0, len(wanted), _IDS_CHUNK):
            chunk = wanted[at : at + _IDS_CHUNK]
            cur.execute(select + f"IN ({', '.join(['%s'] * len(chunk))})", chunk)
            out.extend(cur.fetchall())
        return out
