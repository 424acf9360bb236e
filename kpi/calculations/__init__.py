"""KPI calculations: docs/domain sections 6 and 9 as pure functions over plain data.

No ORM and no Django here: the callers (snapshot tasks, management commands, benchmarks)
read the tables into pandas frames and pass them in a :class:`KpiInput`. The input is
normalised once into numpy arrays indexed by a dense customer position; each period is then
a handful of vectorised masks, and :func:`compute_many` maps fact rows to *all* requested
scopes at once (sorted/dense lookups + bincount), so 1,000 reps x 12 months from ~600k
stage changes and 1M visits takes seconds, not a loop over scopes.

Entry points: :func:`compute_scope` (one period, one scope), :func:`compute_many` (periods
x scopes), :func:`metric_names`, :func:`metrics_as_json`; helpers :func:`stage_reach_times`,
:func:`owner_at`, :func:`team_of_user_at`; periods :func:`month_period`,
:func:`iso_week_period`, :func:`parse_period`, :func:`period_of`; scopes :class:`Scope`,
:func:`as_scope` (``('rep', id) | ('team', id) | ('branch', team_ids)`` or
``('branch', branch_id, team_ids)``: a branch is the set of its teams).

Input frames (columns; extra columns are ignored, missing optional ones take a default)
-----------------------------------------------------------------------------------------
- ``stage_changes``: customer_id, to_stage, at (aware datetime), from_stage, rep_id,
  team_id, id (optional: orders changes recorded at the same instant).
- ``ownerships``: customer_id, owner_id (null: public pool), team_id, start, end (aware
  datetimes; end null = still; end is exclusive, as customers.services.customer_assign
  closes the old row and opens the new one at the same instant).
- ``memberships``: user_id, unit_id, role, start, end (dates, end inclusive, null = open).
  Only rep and supervisor rows say which team a person is in (as customers.services.team_of).
- ``visits``: customer_id, rep_id, team_id, occurred_at, outcome, next_step,
  next_step_date (effective or not is computed from these three by
  ``domain.visits.effective_mask``, the one effective-visit rule), channel ('visit',
  'phone', 'wechat', 'email'; missing = 'visit'). Every row is a follow-up (follow_ups,
  customers_touched); only in-person rows (``domain.visits.in_person_mask``) count in the
  visit metrics (docs/domain section 9, "Visits and follow-ups").
- ``revenue``: customer_id, month (date, 1st of the month), billed, received, kind
  (''/'new'/'retained'), product.
- ``contracts``: customer_id, signed_on (date), monthly_value, rep_id, team_id.
- ``billing_months``: month (date) - months whose billing is in.
- ``targets``: scope_kind ('rep'|'team'|'branch'), scope_id, period ('2026-10' or
  '2026-W43'; a ``month`` date column is accepted instead), metric (a name from
  :data:`TARGETABLE_METRICS`), value. A repeated key raises ValueError.
- ``customers``: id, industry, segment, created_at (optional, aware datetime).

Periods and local time
----------------------
A :class:`Period` is a local calendar month or an ISO week (Monday-Sunday; 2025-12-29 is
in 2026-W01, 2027-01-01 in 2026-W53) with an exclusive end date. Every datetime is compared
with the period's bounds taken at local midnight in ``tz`` (required: the organisation's
``settings.TIME_ZONE``, passed by ``kpi.loading.compute_org``; there is no default), so days
are local days, never UTC days: 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Shanghai and
counts in November. Naive datetimes are read as local wall time in ``tz``. An event at
exactly the period's start belongs to the period; the state "at the start" of a period is
the state after every change strictly before it.

Stages (docs/domain section 9)
----------------------------
A stage is *reached* at the first time a customer is recorded at that stage or a later one
(the ``to_stage`` of a change, and also its ``from_stage``, which records that the customer
was at that stage by then). So skipped stages count as reached at the same moment, and the
funnel counts can never increase down the stages. Reach times never reset.
*Lost* is a status, not a reach: a customer is lost at a moment when its last change before
that moment went to 'lost'. A lost customer that is re-opened (a later change out of lost)
is not lost any more; its reach times stay those of its first pass.
An *open target* at a moment: reached target, not reached intent, not lost. *Open at
intent*: reached intent, not reached deal, not lost. (Taken literally from docs/domain: a
customer moved back from relationship to lead is still an open target.)

Pools and rates
---------------
- target pool(P) = open targets at the start of P, plus customers that reached target in
  P, plus customers re-opened in P that had reached target but not intent (so a lost
  customer leaves the pools and a re-opened one comes back). target_customers = its size.
- intent pool(P): the same with intent/deal.
- intents(P), deals(P), new_targets(P): customers that reached the stage in P.
- intent_rate = pool members that reached intent in P / target pool; close_rate = intent
  pool members that reached deal in P / intent pool. The numerator is intents(P) (deals(P))
  restricted to the scope's own pool: it equals intents(P) unless a customer changed
  owner or team between entering the pool and reaching intent; that way the rate is a
  cohort conversion and lies in [0, 1] for every scope.
- target_growth_rate = new_targets / open targets at the start (a ratio, may exceed 1).
- target-customer visits: visits to a customer that was an open target at the visit's
  instant (reached target, not reached intent, not lost, judged on the changes strictly
  before the visit, so before its own effect; ``domain.stages.is_open_target``). A
  customer moved back from intent to relationship is not an open target.
  weekly_intent_rate (weeks only) = of the distinct customers so visited, those that
  reached intent in the week / their number.
- effective_activity_rate = distinct customers with an effective visit / customers visited.
- visits, customers_visited, target-customer visits, effective customers and the two rates
  above count in-person visits only (channel 'visit'); follow_ups(P) = contact records of
  every channel in P (visits, phone calls, WeChat, e-mails), customers_touched(P) = distinct
  customers with one. So a phone call raises follow_ups, never visits.
- Funnel (funnel_<stage>): customers of the scope at the end of the period that had reached
  each stage by then (lead = every customer existing by then); funnel_lost = those lost then.
- Revenue (months only), from billing records of the month: pending (value None, status
  'pending') until the month is in ``billing_months``, like ARPU; then total, new (the record says
  'new', or says nothing and the month is within ``new_revenue_months`` months of the
  customer's local deal month: deal month .. deal month + N - 1), retained (= total - new),
  received, collection_rate = received / billed (a ratio, may exceed 1 when arrears are paid).
- sales_revenue(P) = monthly value of contracts signed in P; new_sales_revenue(P) = the part
  signed by customers whose deal closed in P (weeks and months).
- arpu (months only), lagged one month: customers whose deal closed in M-1; ARPU = their
  billed revenue of M (no record counts 0) / their number. Until M is in
  ``billing_months`` the value is None with status 'pending'.
- Composite (months only), over the scope's *billing customers* (reached deal and not lost
  at the end of M, or billed in M): zero_usage_share (billed 0 in M), in_arrears_share
  (billed > received in M), industry_share:<industry>, revenue_band_share:<band> (bands by
  the month's billed amount); product_share:<product> = billed of that product / total.
- <metric>_completion = actual / target of the same scope, period and metric (no target,
  or a target of 0 -> no value; a branch scope without an id of its own uses the sum of
  its teams' targets). A ratio: may exceed 1. Weekly targets give the weekly achievement
  rate (sales_revenue_completion), monthly ones the revenue completion rate.
- Also given: open_targets_at_start (the growth denominator), intent_pool,
  target_customers_visited (distinct), funnel_lost. :func:`metric_names` lists every fixed
  name per period kind.

Attribution (docs/domain section 9)
---------------------------------
Events go to the rep and team written on their row (a stage change's rep/team are those of
the owner at write time; a visit's and a contract's are the rep and the rep's team then);
a row without a team takes the rep's team on the event's local date from the memberships.
So a rep who changes team mid-month counts in each team for the days they were in it.
States go to the owner *at that moment* (:func:`owner_at`) and the owner's team on that
local date (:func:`team_of_user_at`), falling back to the team on the ownership row (a pool
customer keeps its team), and, for a customer with no ownership row covering the moment,
to the rep/team of its latest stage change before it. Pools use the owner at the period's
start for customers open then, and the event's row otherwise; the funnel, revenue and
composite KPIs use the owner at the period's last moment; ARPU follows the deal's row.

Values
------
Every metric is a :class:`MetricValue` (value, numerator, denominator, status 'ok' |
'pending' | 'no_data'). Counts are ``int``; money is ``Decimal`` with 2 places (carried
internally as integer cents, exact for 2-decimal inputs); rates are ``float``. An empty
denominator gives value None (status 'no_data'), never 0, NaN or Infinity. Metrics named in
:data:`BOUNDED_RATES` (and the ``*_share:*`` ones) lie in [0, 1]; the ratios in
:data:`UNBOUNDED_RATIOS` and ``*_completion`` are >= 0 but may exceed 1 by definition.
"""

from kpi.calculations.api import (
    VISIT_MEMBER_METRICS,
    compute_many,
    compute_members,
    compute_scope,
    compute_visit_members,
)
from kpi.calculations.assembly import (
    BILLING_METRICS,
)
from kpi.calculations.attribution import (
    owner_at,
    stage_reach_times,
    team_of_user_at,
)
from kpi.calculations.constants import (
    BOUNDED_RATES,
    CENT,
    DEFAULT_REVENUE_BANDS,
    FUNNEL_STAGES,
    LOST,
    MONEY_METRICS,
    OPEN_TARGET_STAGES,
    REACH_STAGES,
    REVENUE_KIND_NEW,
    REVENUE_KIND_RETAINED,
    STAGE_RANK,
    TARGETABLE_METRICS,
    UNBOUNDED_RATIOS,
)
from kpi.calculations.names import (
    metric_names,
)
from kpi.calculations.periods import (
    Period,
    Scope,
    as_scope,
    iso_week_period,
    month_period,
    parse_period,
    period_of,
    weeks_in_iso_year,
)
from kpi.calculations.values import (
    KpiInput,
    MetricValue,
    metrics_as_json,
)

__all__ = [
    "BILLING_METRICS",
    "BOUNDED_RATES",
    "CENT",
    "DEFAULT_REVENUE_BANDS",
    "FUNNEL_STAGES",
    "KpiInput",
    "LOST",
    "MONEY_METRICS",
    "MetricValue",
    "OPEN_TARGET_STAGES",
    "Period",
    "REACH_STAGES",
    "REVENUE_KIND_NEW",
    "REVENUE_KIND_RETAINED",
    "STAGE_RANK",
    "Scope",
    "TARGETABLE_METRICS",
    "UNBOUNDED_RATIOS",
    "as_scope",
    "compute_many",
    "compute_members",
    "compute_visit_members",
    "VISIT_MEMBER_METRICS",
    "compute_scope",
    "iso_week_period",
    "metric_names",
    "metrics_as_json",
    "month_period",
    "owner_at",
    "parse_period",
    "period_of",
    "stage_reach_times",
    "team_of_user_at",
    "weeks_in_iso_year",
]
