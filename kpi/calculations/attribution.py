"""Memberships, stage reach and ownership: who a customer belongs to at a moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kpi.calculations.constants import REACH_STAGES, STAGE_RANK
from kpi.calculations.normalise import (
    _LOST_CODE,
    _NEVER,
    _NONE,
    _RANK_OF_CODE,
    _STAGE_CATEGORIES,
    _codes,
    _col,
    _day,
    _days,
    _first_of_runs,
    _frame,
    _ids,
    _last_of_runs,
    _local_days,
    _ns,
    _sorted_unique,
    _to_ids,
    _to_timestamps,
    _tz,
)


@dataclass
class _Mem:
    user: np.ndarray
    unit: np.ndarray
    start: np.ndarray  # day numbers
    end: np.ndarray  # inclusive; _NEVER = open


def _norm_memberships(df: pd.DataFrame | None) -> _Mem:
    df = _frame(df)
    user, unit = _ids(_col(df, "user_id")), _ids(_col(df, "unit_id"))
    role = _codes(_col(df, "role", "rep"), ["rep", "supervisor"])
    start, end = _days(_col(df, "start"), _NEVER), _days(_col(df, "end"), _NEVER)
    keep = (role >= 0) & (user != _NONE) & (unit != _NONE) & (start != _NEVER)
    order = np.lexsort((np.arange(len(df))[keep], start[keep], user[keep]))
    return _Mem(*(a[keep][order] for a in (user, unit, start, end)))


def _team_on_day(mem: _Mem, day: int) -> tuple[np.ndarray, np.ndarray]:
    """(users, teams) active on ``day``, sorted by user; the latest start wins."""
    m = (mem.start <= day) & (mem.end >= day)
    users, units = mem.user[m], mem.unit[m]
    last = _last_of_runs(users)
    return users[last], units[last]


def team_of_user_at(memberships: pd.DataFrame, day: dt.date) -> pd.Series:
    """Team of each user on the local ``day``: Series user_id -> team_id (Int64).

    Only rep and supervisor memberships count (as customers.services.team_of); start and
    end are inclusive dates; when several are active the latest start wins. Users with
    no team that day are absent. Source: docs/domain section 9, Attribution.
    """
    users, teams = _team_on_day(_norm_memberships(memberships), _day(day))
    return pd.Series(pd.array(teams, dtype="Int64"), index=pd.Index(users, name="user_id"))


def _fill_teams(
    rep: np.ndarray,
    team: np.ndarray,
    mem: _Mem,
    days: np.ndarray | None = None,
    ns: np.ndarray | None = None,
    tz: dt.tzinfo | None = None,
) -> np.ndarray:
    """``team`` with the missing ones taken from the rep's membership on the event's day."""
    need = np.flatnonzero((team == _NONE) & (rep != _NONE))
    if need.size == 0 or mem.user.size == 0:
        return team
    if days is None and (ns is None or tz is None):
        raise ValueError("_fill_teams needs local days, or instants and a time zone")
    need_days = days[need] if days is not None else _local_days(ns[need], tz)  # type: ignore[index,arg-type]
    q = pd.DataFrame({"user": rep[need], "day": need_days, "row": need})
    rows = pd.DataFrame(
        {
            "user": mem.user,
            "unit": mem.unit,
            "start": mem.start,
            "end": mem.end,
            "order": np.arange(len(mem.user)),
        }
    )
    m = q.merge(rows, on="user")
    m = m[(m["start"] <= m["day"]) & (m["end"] >= m["day"])]
    m = m.sort_values(["row", "order"], kind="stable").drop_duplicates("row", keep="last")
    out = team.copy()
    out[m["row"].to_numpy()] = m["unit"].to_numpy()
    return out


# --------------------------------------------------------------------------- stage history


@dataclass
class _Changes:
    pos: np.ndarray
    at: np.ndarray
    rank: np.ndarray  # max(rank(to), rank(from)): the furthest stage the row records
    lost: np.ndarray  # to_stage is lost
    rep: np.ndarray
    team: np.ndarray


@dataclass
class _Reach:
    lead: np.ndarray
    at: dict[str, np.ndarray]
    rep: dict[str, np.ndarray]
    team: dict[str, np.ndarray]


@dataclass
class _StageEvents:
    lost_pos: np.ndarray
    lost_at: np.ndarray
    lost_next: np.ndarray  # the customer's next change after the loss; _NEVER if none
    reopen_pos: np.ndarray
    reopen_at: np.ndarray
    reopen_rep: np.ndarray
    reopen_team: np.ndarray

    def lost_mask(self, when: int, n: int) -> np.ndarray:
        """Customers whose last change strictly before ``when`` went to lost."""
        mask = np.zeros(n, dtype=bool)
        m = (self.lost_at < when) & (self.lost_next >= when)
        mask[self.lost_pos[m]] = True
        return mask


def _norm_changes(df: pd.DataFrame, customer_pos: Any, tz: dt.tzinfo) -> _Changes:
    cust = _ids(_col(df, "customer_id"))
    at = _ns(_col(df, "at"), tz)
    to_code = _codes(_col(df, "to_stage"), _STAGE_CATEGORIES)
    from_code = _codes(_col(df, "from_stage"), _STAGE_CATEGORIES)
    seq = _ids(_col(df, "id")) if "id" in df.columns else np.arange(len(df), dtype=np.int64)
    keep = (cust != _NONE) & (at != _NEVER)
    pos = customer_pos(cust[keep])
    order = np.lexsort((seq[keep], at[keep], pos))
    rank = np.maximum(_RANK_OF_CODE[to_code], _RANK_OF_CODE[from_code])[keep][order]
    return _Changes(
        pos=pos[order],
        at=at[keep][order],
        rank=rank,
        lost=(to_code == _LOST_CODE)[keep][order],
        rep=_ids(_col(df, "rep_id"))[keep][order],
        team=_ids(_col(df, "team_id"))[keep][order],
    )


def _reach(ch: _Changes, n: int) -> _Reach:
    """First time each customer reached each stage (cumulative), and who it counts for."""
    lead = np.full(n, _NEVER, dtype=np.int64)
    first = _first_of_runs(ch.pos)
    lead[ch.pos[first]] = ch.at[first]
    reach = _Reach(lead, {}, {}, {})
    for stage in REACH_STAGES:
        sel = np.flatnonzero(ch.rank >= STAGE_RANK[stage])
        rows = sel[_first_of_runs(ch.pos[sel])]
        at = np.full(n, _NEVER, dtype=np.int64)
        rep = np.full(n, _NONE, dtype=np.int64)
        team = np.full(n, _NONE, dtype=np.int64)
        at[ch.pos[rows]] = ch.at[rows]
        rep[ch.pos[rows]] = ch.rep[rows]
        team[ch.pos[rows]] = ch.team[rows]
        reach.at[stage], reach.rep[stage], reach.team[stage] = at, rep, team
    return reach


def _stage_events(ch: _Changes) -> _StageEvents:
    same = ch.pos[1:] == ch.pos[:-1]
    next_at = np.full(len(ch.pos), _NEVER, dtype=np.int64)
    next_at[:-1] = np.where(same, ch.at[1:], _NEVER)
    prev_lost = np.zeros(len(ch.pos), dtype=bool)
    prev_lost[1:] = same & ch.lost[:-1]
    reopen = prev_lost & ~ch.lost
    return _StageEvents(
        lost_pos=ch.pos[ch.lost],
        lost_at=ch.at[ch.lost],
        lost_next=next_at[ch.lost],
        reopen_pos=ch.pos[reopen],
        reopen_at=ch.at[reopen],
        reopen_rep=ch.rep[reopen],
        reopen_team=ch.team[reopen],
    )


def stage_reach_times(stage_changes: pd.DataFrame, tz: dt.tzinfo | str) -> pd.DataFrame:
    """When each customer first reached each stage, and its lost status.

    Returns one row per customer with a stage change, sorted by customer_id: lead_at (first
    recorded change); for s in target, relationship, intent, deal: ``<s>_at`` (UTC
    timestamp, NaT = not reached), ``<s>_rep_id`` and ``<s>_team_id`` (Int64: attribution of
    the change that reached it); ``lost_at`` (latest change to lost), ``reopened_at`` (the
    change out of lost after it, NaT if none) and ``is_lost`` (the last change went to lost).
    Reaching a stage counts as reaching every earlier one at the same time (docs/domain
    section 9: "first time recorded at that stage or a later one").
    """
    df = _frame(stage_changes)
    cust = _ids(_col(df, "customer_id"))
    ids = _sorted_unique(cust[cust != _NONE])
    ch = _norm_changes(df, lambda c: np.searchsorted(ids, c), _tz(tz))
    reach = _reach(ch, len(ids))
    ev = _stage_events(ch)
    out = pd.DataFrame({"customer_id": _to_ids(ids), "lead_at": _to_timestamps(reach.lead)})
    for stage in REACH_STAGES:
        out[f"{stage}_at"] = _to_timestamps(reach.at[stage])
        out[f"{stage}_rep_id"] = _to_ids(reach.rep[stage])
        out[f"{stage}_team_id"] = _to_ids(reach.team[stage])
    lost_at = np.full(len(ids), _NEVER, dtype=np.int64)
    reopened = np.full(len(ids), _NEVER, dtype=np.int64)
    latest = _last_of_runs(ev.lost_pos)  # sorted by customer, then time
    lost_at[ev.lost_pos[latest]] = ev.lost_at[latest]
    reopened[ev.lost_pos[latest]] = ev.lost_next[latest]
    out["lost_at"] = _to_timestamps(lost_at)
    out["reopened_at"] = _to_timestamps(reopened)
    out["is_lost"] = (lost_at != _NEVER) & (reopened == _NEVER)
    return out


# --------------------------------------------------------------------------- ownership


@dataclass
class _Own:
    pos: np.ndarray
    owner: np.ndarray
    team: np.ndarray
    start: np.ndarray
    end: np.ndarray  # exclusive; _NEVER = still


def _norm_ownerships(df: pd.DataFrame, customer_pos: Any, tz: dt.tzinfo) -> _Own:
    cust = _ids(_col(df, "customer_id"))
    start, end = _ns(_col(df, "start"), tz), _ns(_col(df, "end"), tz)
    keep = (cust != _NONE) & (start != _NEVER)
    pos = customer_pos(cust[keep])
    order = np.lexsort((np.arange(len(df))[keep], start[keep], pos))
    return _Own(
        pos=pos[order],
        owner=_ids(_col(df, "owner_id"))[keep][order],
        team=_ids(_col(df, "team_id"))[keep][order],
        start=start[keep][order],
        end=end[keep][order],
    )


def _owner_rows(own: _Own, when: int) -> np.ndarray:
    """Row of the ownership covering ``when`` for each customer that has one."""
    sel = np.flatnonzero((own.start <= when) & (own.end > when))
    return np.asarray(sel[_last_of_runs(own.pos[sel])])


def owner_at(ownerships: pd.DataFrame, when: dt.datetime, tz: dt.tzinfo | str) -> pd.DataFrame:
    """Owner of each customer at the instant ``when``: DataFrame customer_id, owner_id
    (NA: public pool), team_id (the ownership row's team), all Int64.

    An ownership row covers [start, end); with overlapping rows the latest start wins.
    Customers without a covering row are absent. Source: docs/domain section 9, Attribution.
    """
    zone = _tz(tz)
    df = _frame(ownerships)
    cust = _ids(_col(df, "customer_id"))
    ids = _sorted_unique(cust[cust != _NONE])
    own = _norm_ownerships(df, lambda c: np.searchsorted(ids, c), zone)
    rows = _owner_rows(own, int(_ns(pd.Series([when]), zone)[0]))
    return pd.DataFrame(
        {
            "customer_id": _to_ids(ids[own.pos[rows]]),
            "owner_id": _to_ids(own.owner[rows]),
            "team_id": _to_ids(own.team[rows]),
        }
    )
