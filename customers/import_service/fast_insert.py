"""Insert many rows of one model fast: raw ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

Django's ``bulk_create`` builds a model instance per row and prepares every field of
every instance in Python; for an import of 100,000 customers with their ownership, stage
change and contact rows that was about 80% of the import's time. Imports know their
values are already clean (parsed, validated and length-checked), so they hand this module
plain tuples: the columns they fill, in order, and every other concrete column gets its
model default (``auto_now``/``auto_now_add`` columns: now), computed once per call.

Primary keys are allocated up front (PostgreSQL: ``nextval`` of the table's sequence;
SQLite: above the largest id and ``sqlite_sequence``, inside the caller's transaction,
which holds SQLite's write lock from its start because transactions are IMMEDIATE), so the
caller gets the new ids back in row order, as with ``bulk_create``.

No model ``save()`` runs and no signal is sent (the project uses none). Must be called
inside ``transaction.atomic``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from itertools import repeat
from typing import Any

from django.db import connection, models
from django.utils import timezone

SQLITE_BATCH = 2000
"""Rows per ``executemany`` call on SQLite (memory stays flat for any number of rows)."""

SQLITE_IMPORT_CACHE_KIB = 16 * 1024
"""SQLite page cache (KiB) of the connection while an import writes (default: 2 MiB)."""


@contextmanager
def bulk_write_settings() -> Iterator[None]:
    """While an import writes many rows: on SQLite a page cache of
    :data:`SQLITE_IMPORT_CACHE_KIB` for this connection, restored afterwards.

    With SQLite's default 2 MiB a 100,000-row customer import evicts and re-reads index
    pages all the time (the customer table has ten indexes); 16 MiB cut the inserts'
    CPU time by about 40% (bench/import_customers.py), more bought little. It only
    changes how many pages SQLite keeps in memory, never what is written or when it is
    durable. PostgreSQL: nothing (its server caches)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{int(SQLITE_IMPORT_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@lru_cache(maxsize=4096)
def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """SQLite's text form of a datetime (imports repeat the same few hundred dates)."""
    if value is None:
        return None
    return connection.ops.adapt_datetimefield_value(value)


def _column_converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value becomes a database value for this backend; None = as it is."""
    ops = connection.ops
    kind = field.get_internal_type()
    if connection.vendor == "postgresql":
        if kind == "JSONField":
            return lambda v: field.get_db_prep_save(v, connection)
        return None  # psycopg's COPY dumps dates, datetimes and decimals itself
    if kind == "DateTimeField":
        return _sqlite_datetime
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind in ("DecimalField", "JSONField"):
        return lambda v: None if v is None else field.get_db_prep_save(v, connection)
    return None


def _default(field: models.Field[Any, Any], now: dt.datetime) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now if field.get_internal_type() == "DateTimeField" else timezone.localdate(now)
    return field.get_default()


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    pk = model._meta.pk
    if pk is None:  # abstract models only
        raise ValueError(f"{model.__name__} has no primary key")
    return pk


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, ascending; call inside a transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = _pk(model)
    column = pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(r[0] for r in cursor.fetchall())
        cursor.execute(f'SELECT MAX("{column}") FROM "{table}"')  # noqa: S608 - model metadata
        top = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        if row is not None and row[0] is not None:
            top = max(top, int(row[0]))
    return list(range(top + 1, top + 1 + count))


_COPY_SAFE_TYPES = frozenset({int, bool, dt.date, dt.datetime, Decimal})
"""Types besides ``str`` whose ``str()`` PostgreSQL's text input reads back as the same
value (``bool``: ``True``/``False``; an aware datetime with its offset)."""
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NONE = type(None)


@lru_cache(maxsize=4096)
def _time_text(value: dt.date) -> str:
    """``str()`` of a date or datetime (imports repeat the same few hundred)."""
    return str(value)


def _as_text(value: object) -> str | None:
    kind = type(value)
    if value is None or kind is str:
        return value  # type: ignore[return-value]
    if kind is dt.datetime or kind is dt.date:
        return _time_text(value)
    if isinstance(value, str):  # TextChoices members: their plain value
        return str.__str__(value)
    return str(value)


def _copy_column(values: Sequence[Any]) -> Sequence[str] | None:
    """One column as fields of PostgreSQL's COPY text format (``\\N`` for NULL;
    backslash, tab, newline and carriage return escaped), or None when a value's type is
    not one whose ``str()`` PostgreSQL reads back unchanged (the caller then lets psycopg
    format the rows)."""
    types = set(map(type, values))
    if not all(t is _NONE or t in _COPY_SAFE_TYPES or issubclass(t, str) for t in types):
        return None
    texts: Sequence[str | None]
    if types <= {str, _NONE}:
        texts = values
    elif types == {int}:  # ids
        texts = list(map(str, values))
    else:
        texts = list(map(_as_text, values))
    joined = "\x00".join(filter(None, texts))
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        texts = [None if v is None else v.translate(_COPY_ESCAPES) for v in texts]
    if _NONE in types:
        return ["\\N" if v is None else v for v in texts]
    return texts  # type: ignore[return-value]


def _copy_suffix(constant: Sequence[Any]) -> str | None:
    """The default columns' fields, the same for every row (``\\t``-led), or None."""
    if not constant:
        return ""
    fields = [_copy_column([v]) for v in constant]
    if any(f is None for f in fields):
        return None
    return "".join("\t" + f[0] for f in fields if f is not None)


def _copy_text(
    leading: list[list[int]], chunk: Sequence[Sequence[Any]], width: int, suffix: str | None
) -> str | None:
    """The COPY text of ``chunk`` (with the ids of ``leading`` first and ``suffix`` after
    each row), built column by column with ``str.join`` in C: about a third of psycopg's
    row-by-row formatting for the customer table. None when a value is of a type this
    does not format (the caller falls back to ``copy.write_row``)."""
    if suffix is None or width == 0 or {len(r) for r in chunk} != {width}:
        return None
    columns: list[Sequence[str]] = []
    for values in (*leading, *zip(*chunk, strict=True)):
        texts = _copy_column(values)
        if texts is None:
            return None
        columns.append(texts)
    end = suffix + "\n"
    return end.join(map("\t".join, zip(*columns, strict=True))) + end


def fast_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    with_ids: bool = False,
) -> list[int]:
    """Insert ``rows`` (tuples of values for ``fields``, attnames such as ``owner_id``).

    Columns not in ``fields`` get the model default. With ``with_ids`` the primary keys
    are allocated here and returned in row order; otherwise the database assigns them and
    ``[]`` is returned. Values must already be valid (this writes what it is given).
    Raises ValueError for a field name that is not a concrete column of ``model``.
    """
    if not rows:
        return []
    now = timezone.now()
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    pk = _pk(model)
    unknown = [f for f in fields if f not in by_attname]
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {unknown}")
    given = list(fields)
    rest = [f for a, f in by_attname.items() if a not in given and f is not pk]
    ids = allocate_ids(model, len(rows)) if with_ids else []
    columns = ([pk] if with_ids else []) + [by_attname[a] for a in given] + rest
    constant = tuple(
        c(v) if (c := _column_converter(f)) else v for f, v in ((f, _default(f, now)) for f in rest)
    )
    width = len(given)
    converters = [_column_converter(by_attname[a]) for a in given]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)

    def full_rows(start: int, stop: int) -> list[tuple[Any, ...]]:
        """Rows ``start:stop`` as the database takes them. Without converters (PostgreSQL,
        text-only tables) one tuple display per row; with them column by column
        (``zip``/``map`` run in C, a converter is called once per value of its column,
        a column of None is left as it is) and the defaults repeated."""
        chunk = rows[start:stop]
        if {len(r) for r in chunk} != {width}:
            bad = next(len(r) for r in chunk if len(r) != width)
            raise ValueError(f"a row has {bad} values, {width} fields")
        if not any(converters):
            if with_ids:
                return [(i, *r, *constant) for i, r in zip(ids[start:stop], chunk, strict=True)]
            return [(*r, *constant) for r in chunk]
        given_columns = [
            col if convert is None or col.count(None) == len(col) else list(map(convert, col))
            for col, convert in zip(zip(*chunk, strict=True), converters, strict=True)
        ]
        leading: list[Iterable[Any]] = [ids[start:stop]] if with_ids else []
        # A list, not the zip: Django's debug cursor (query counting) takes its len(). Not
        # strict: the defaults repeat without end, the row's columns end it.
        return list(zip(*leading, *given_columns, *(repeat(v) for v in constant), strict=False))

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            suffix = _copy_suffix(constant)
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for start in range(0, len(rows), SQLITE_BATCH):
                    chunk = rows[start : start + SQLITE_BATCH]
                    leading = [ids[start : start + SQLITE_BATCH]] if with_ids else []
                    text = _copy_text(leading, chunk, width, suffix)
                    if text is not None:
                        copy.write(text)
                        continue
                    for r in full_rows(start, start + SQLITE_BATCH):
                        copy.write_row(r)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model metadata
            for start in range(0, len(rows), SQLITE_BATCH):
                cursor.executemany(sql, full_rows(start, start + SQLITE_BATCH))
    return ids
