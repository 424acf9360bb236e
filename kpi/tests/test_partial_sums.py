"""The sums behind the figures add up across customer buckets (docs/architecture.md,
"Incremental recompute"): for any history, the figures assembled from the sum of the
per-bucket sums equal the engine's own figures, value, numerator, denominator and status,
so the incremental recompute that replaces one bucket's sums cannot change a figure."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kpi.calculations import KpiInput, as_scope, compute_many
from kpi.calculations.sums import (
    add_sums,
    assemble_sums,
    compute_bucket_sums,
    compute_sums,
    split_by_bucket,
)
from kpi.tests.test_calculations_properties import PERIODS, SCOPES, SETTINGS, worlds

UTC = dt.UTC


def _assembled(data: KpiInput, buckets: int) -> dict:
    parts = split_by_bucket(data, buckets)
    per_bucket = [compute_sums(PERIODS, SCOPES, part, tz=UTC) for part in parts.values()]
    out = {}
    for period in per_bucket[0] if per_bucket else []:
        flat = add_sums(sums[period] for sums in per_bucket)
        values = assemble_sums(
            period, SCOPES, flat, targets=data.targets, billing_months=data.billing_months
        )
        for scope, metrics in zip(SCOPES, values, strict=True):
            out[(period.key, as_scope(scope))] = metrics
    return out


@SETTINGS
@given(data=worlds(), buckets=st.integers(1, 5))
def test_figures_from_bucket_sums_equal_the_engine_for_any_history(
    data: KpiInput, buckets: int
) -> None:
    direct = {
        (period.key, scope): metrics
        for (period, scope), metrics in compute_many(PERIODS, SCOPES, data, tz=UTC).items()
    }
    assert _assembled(data, buckets) == direct


def test_a_bucket_without_customers_is_left_out_and_ids_split_by_remainder() -> None:
    data = KpiInput(
        customers=pd.DataFrame({"id": [1, 4, 6], "industry": ["", "", ""], "segment": ""}),
    )
    parts = split_by_bucket(data, 3)
    assert sorted(parts) == [0, 1]
    assert list(parts[1].customers["id"]) == [1, 4]
    assert list(parts[0].customers["id"]) == [6]


@SETTINGS
@given(data=worlds(), buckets=st.integers(1, 5))
def test_one_pass_bucket_sums_equal_the_sums_of_each_bucket_for_any_history(
    data: KpiInput, buckets: int
) -> None:
    """compute_bucket_sums (one engine pass, ids renamed per bucket) gives, bucket by bucket
    and key by key, the sums of compute_sums over that bucket's split (missing keys are 0)."""
    parts = split_by_bucket(data, buckets)
    one_pass = compute_bucket_sums(PERIODS, SCOPES, data, buckets, tz=UTC)
    assert sorted(one_pass) == sorted(parts)
    for bucket, part in parts.items():
        split = compute_sums(PERIODS, SCOPES, part, tz=UTC)
        assert set(one_pass[bucket]) == set(split)
        for period, flat in split.items():
            got = one_pass[bucket][period]
            zeros = np.zeros(len(SCOPES), dtype=np.int64)
            for key in set(flat) | set(got):
                assert np.array_equal(got.get(key, zeros), flat.get(key, zeros)), (bucket, key)
