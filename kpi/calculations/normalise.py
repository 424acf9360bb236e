"""Input normalisation: pandas columns to numpy arrays and sorted lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from kpi.calculations.constants import FUNNEL_STAGES, LOST, STAGE_RANK

_NEVER = np.iinfo(np.int64).max
_NONE = -1
_NS_PER_US = 1_000
_EPOCH = dt.date(1970, 1, 1)
_STAGE_CATEGORIES = [*FUNNEL_STAGES, LOST]
#: Funnel rank of each category code (domain.stages.STAGE_RANK); code -1 -> rank -1.
_RANK_OF_CODE = np.array([STAGE_RANK.get(s, -1) for s in _STAGE_CATEGORIES] + [-1], dtype=np.int64)
_LOST_CODE = _STAGE_CATEGORIES.index(LOST)
_KIND_AUTO, _KIND_NEW, _KIND_RETAINED = 0, 1, 2
_NO_MONTH = -(10**9)
_DENSE_LIMIT = 50_000_000  # ids below this use dense lookup tables instead of searchsorted


def _frame(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame()
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    return df.reset_index(drop=True)


def _col(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    if name in df.columns:
        return df[name].reset_index(drop=True)
    return pd.Series([default] * len(df), dtype=object)


def _ids(values: pd.Series) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    if pd.api.types.is_integer_dtype(s.dtype):
        return np.asarray(s.to_numpy(dtype=np.int64, na_value=_NONE))
    num = pd.to_numeric(s.astype(object).where(s.notna(), np.nan))
    return np.asarray(num.fillna(_NONE).to_numpy(dtype=np.int64))


def _bools(values: pd.Series) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    if s.dtype == bool:
        return np.asarray(s.to_numpy())
    return np.asarray(s.astype(object).where(s.notna(), False).astype(bool).to_numpy())


def _codes(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    """Position of each value in ``categories`` (-1 for anything else, null included)."""
    codes, uniques = pd.factorize(pd.Series(values).reset_index(drop=True))
    index = {c: i for i, c in enumerate(categories)}
    lookup = np.array([index.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    return np.asarray(lookup[codes])  # code -1 (null) picks the trailing -1


def _labels_and_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
    """Factorise labels; null and '' become '-'. Returns (sorted labels, code per row)."""
    s = pd.Series(values).reset_index(drop=True).astype(object)
    codes, uniques = pd.factorize(s.where(s.notna(), ""))
    names = np.array([str(u) if str(u) != "" else "-" for u in uniques], dtype=object)
    if len(names) == 0:
        return [], codes.astype(np.int64)
    labels, inverse = np.unique(names, return_inverse=True)
    return [str(x) for x in labels], inverse[codes].astype(np.int64)


def _utc(values: pd.Series, tz: dt.tzinfo) -> pd.Series:
    """Aware datetimes -> UTC timestamps; naive ones are local wall time in ``tz``."""
    s = pd.Series(values).reset_index(drop=True)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(s.dtype):
        local = s.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous="NaT")
        return local.dt.tz_convert("UTC")
    non_null = s.dropna()
    if non_null.empty:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    first = non_null.iloc[0]
    if isinstance(first, dt.datetime) and first.tzinfo is None:
        return _utc(pd.to_datetime(s), tz)
    return pd.to_datetime(s, utc=True)


def _ns(values: pd.Series, tz: dt.tzinfo) -> np.ndarray:
    """Instants as int64 ns since the epoch (UTC); null -> _NEVER."""
    s = _utc(values, tz)
    out = s.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64).copy()
    out[s.isna().to_numpy()] = _NEVER
    return np.asarray(out)


def _days(values: pd.Series, missing: int) -> np.ndarray:
    """Dates as int64 day numbers since 1970-01-01; null -> ``missing``."""
    s = pd.Series(values).reset_index(drop=True)
    if s.empty:
        return np.empty(0, dtype=np.int64)
    d = pd.to_datetime(s)
    if isinstance(d.dtype, pd.DatetimeTZDtype):
        d = d.dt.tz_localize(None)
    out = d.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").view(np.int64).copy()
    out[d.isna().to_numpy()] = missing
    return np.asarray(out)


def _day(day: dt.date) -> int:
    return (day - _EPOCH).days


def _instant(day: dt.date, tz: dt.tzinfo) -> int:
    """ns since the epoch of local midnight at the start of ``day``."""
    return int(pd.Timestamp(dt.datetime.combine(day, dt.time(), tzinfo=tz)).value)


def _local(ns: np.ndarray, tz: dt.tzinfo) -> pd.DatetimeIndex:
    return pd.to_datetime(ns, unit="ns", utc=True).tz_convert(tz).tz_localize(None)


def _local_days(ns: np.ndarray, tz: dt.tzinfo) -> np.ndarray:
    if len(ns) == 0:
        return np.empty(0, dtype=np.int64)
    return np.asarray(_local(ns, tz).normalize().to_numpy().astype("datetime64[D]").view(np.int64))


def _cents(values: pd.Series) -> np.ndarray:
    """Money (Decimal, int, float, str) -> int64 cents; null counts 0."""
    s = pd.Series(values).reset_index(drop=True)
    if s.empty:
        return np.empty(0, dtype=np.int64)
    f = pd.to_numeric(s.astype(object).where(s.notna(), 0)).astype(float).to_numpy()
    return np.asarray(np.round(f * 100).astype(np.int64))


def _to_timestamps(ns: np.ndarray) -> pd.Series:
    out = pd.Series(pd.to_datetime(np.where(ns == _NEVER, 0, ns), unit="ns", utc=True))
    return out.where(ns != _NEVER, pd.NaT)


def _to_ids(ids: np.ndarray) -> pd.Series:
    return pd.Series(pd.array(np.where(ids == _NONE, 0, ids), dtype="Int64")).where(
        ids != _NONE, pd.NA
    )


def _first_of_runs(keys: np.ndarray) -> np.ndarray:
    out = np.ones(len(keys), dtype=bool)
    out[1:] = keys[1:] != keys[:-1]
    return out


def _last_of_runs(keys: np.ndarray) -> np.ndarray:
    out = np.ones(len(keys), dtype=bool)
    out[:-1] = keys[1:] != keys[:-1]
    return out


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique for int64 by sorting (faster here than numpy's hash-based unique)."""
    ordered = np.sort(values, kind="stable")
    return np.asarray(ordered[_first_of_runs(ordered)])


def _first_occurrences(values: np.ndarray) -> np.ndarray:
    """Indexes of the first occurrence of each distinct value, in ascending value order."""
    order = np.argsort(values, kind="stable")
    return np.asarray(order[_first_of_runs(values[order])])


def _position_finder(ids: np.ndarray) -> Any:
    """A function mapping known ids to their position in the sorted unique ``ids``."""
    if len(ids) and int(ids[0]) >= 0 and int(ids[-1]) < _DENSE_LIMIT:
        table = np.zeros(int(ids[-1]) + 1, dtype=np.int64)
        table[ids] = np.arange(len(ids), dtype=np.int64)
        return lambda c: table[c]
    return lambda c: np.searchsorted(ids, c)


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray, default: int) -> np.ndarray:
    """values[k] for each query equal to keys[k] (keys sorted, unique); else ``default``."""
    if len(keys) == 0:
        return np.full(len(query), default, dtype=np.int64)
    idx = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[idx] == query, values[idx], default)


def _tz(tz: dt.tzinfo | str | None) -> dt.tzinfo:
    """The zone of ``tz`` (a tzinfo or an IANA name). Raises ValueError for None or an
    unknown name: the engine has no default zone."""
    if tz is None:
        raise ValueError("A time zone is required (the organisation's settings.TIME_ZONE)")
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Unknown time zone {tz!r}") from exc
    return tz
