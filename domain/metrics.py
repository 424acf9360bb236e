"""The metric registry: every KPI name the engine produces, with labels, kind and bounds
(docs/domain sections 4, 4b, 6 and 9).

Names are those of the KPI engine's ``metric_names('month')`` / ``metric_names('week')`` plus
the target-only metrics of ``kpi.models`` targets (installations, retained_follow_ups,
milestones). Family names (``industry_share``, ``product_share``, ``revenue_band_share``)
stand for the ``<family>:<detail>`` names; ``<m>_completion`` exists for every targetable m.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.labels import pick

COUNT, RATE, MONEY = "count", "rate", "money"
KINDS: tuple[str, ...] = (COUNT, RATE, MONEY)


@dataclass(frozen=True)
class Metric:
    """One metric.

    ``name``: stored name; ``label_zh`` / ``label_en``: plain labels; ``kind``: 'count' |
    'rate' | 'money'; ``lower`` / ``upper``: bounds of a value (None = unbounded; rates in
    [0, 1] have upper 1, ratios that may exceed 1 have None); ``targetable``: a target may
    be set (gives ``<name>_completion``); ``drillable``: the dashboard lists the customers
    behind the figure; ``unit``: 'customers' | 'visits' | 'CNY' | 'ratio' | 'items'.
    Rule source: docs/domain sections 6 and 9.
    """

    name: str
    label_zh: str
    label_en: str
    kind: str
    lower: float | None
    upper: float | None
    targetable: bool
    drillable: bool
    unit: str

    def label(self, lang: str) -> str:
        """The label in 'zh-hans' or 'en' (ValueError for another language)."""
        return pick(self.label_zh, self.label_en, lang)


def _count(
    name: str, zh: str, en: str, unit: str = "customers", *, t: bool = False, d: bool = False
) -> Metric:
    return Metric(name, zh, en, COUNT, 0, None, t, d, unit)


def _rate(name: str, zh: str, en: str, *, bounded: bool = True) -> Metric:
    return Metric(name, zh, en, RATE, 0, 1 if bounded else None, False, False, "ratio")


def _money(name: str, zh: str, en: str, *, t: bool = True) -> Metric:
    return Metric(name, zh, en, MONEY, None, None, t, False, "CNY")


_BASE: tuple[Metric, ...] = (
    _count("funnel_lead", "客户资料", "Leads", d=True),
    _count("funnel_target", "累计目标客户数", "Target customers reached", d=True),
    _count("funnel_relationship", "建立关系", "Relationship established", d=True),
    _count("funnel_intent", "达成意向", "Intent reached", d=True),
    _count("funnel_deal", "成交", "Deal", d=True),
    _count("funnel_lost", "流失", "Lost", d=True),
    _count("target_customers", "目标客户数", "Target customers", t=True, d=True),
    _count("open_targets_at_start", "期初在跟进目标客户", "Open targets at start", d=True),
    _count("new_targets", "新增目标客户数", "New target customers", t=True, d=True),
    _rate("target_growth_rate", "目标客户增长率", "Target growth rate", bounded=False),
    _count("intents", "达成意向客户数", "Intents reached", t=True, d=True),
    _rate("intent_rate", "意向达成率", "Intent rate"),
    _count("intent_pool", "意向客户池", "Intent pool", d=True),
    _count("deals", "成交客户数", "Deals", t=True, d=True),
    _rate("close_rate", "成交率", "Close rate"),
    _count("visits", "拜访数", "Visits", "visits", t=True),
    _count("customers_visited", "拜访客户数", "Customers visited", t=True, d=True),
    _count(
        "target_customer_visits", "目标客户拜访次数", "Target customer visits", "visits", t=True
    ),
    _count("target_customers_visited", "已拜访目标客户", "Target customers visited"),
    _count("effective_customers", "有效客户数", "Effective customers", t=True, d=True),
    _rate("effective_activity_rate", "有效活动率", "Effective activity rate"),
    _rate("weekly_intent_rate", "周意向达成率", "Weekly intent rate"),
    _count("follow_ups", "跟进次数（全部方式）", "Follow-ups (all channels)", "visits"),
    _count("customers_touched", "接触客户数", "Customers touched", d=True),
    _money("sales_revenue", "销售收入（合同）", "Sales revenue (contracts)"),
    _money("new_sales_revenue", "新增销售收入（合同）", "New sales revenue (contracts)"),
    _money("total_revenue", "总收入", "Total revenue"),
    _money("new_revenue", "新增收入", "New revenue"),
    _money("retained_revenue", "保有收入", "Retained revenue"),
    _money("received", "到账收入", "Revenue received"),
    _rate("collection_rate", "回款率", "Collection rate", bounded=False),
    _money("arpu", "ARPU（滞后一个月）", "ARPU (lagged one month)", t=False),
    _rate("zero_usage_share", "零使用客户占比", "Zero-usage share"),
    _rate("in_arrears_share", "欠费客户占比", "In-arrears share"),
    _rate("industry_share", "行业客户占比", "Industry share"),
    _rate("product_share", "产品收入占比", "Product share"),
    _rate("revenue_band_share", "收入区间客户占比", "Revenue band share"),
    _count("installations", "装机量", "Installations", "items", t=True),
    _count(
        "retained_follow_ups", "保有客户回访", "Follow-ups of retained customers", "visits", t=True
    ),
    _count("milestones", "大客户项目里程碑", "Big-account milestones", "items", t=True),
)

#: Metrics that only exist as targets (not computed by the KPI engine).
TARGET_ONLY: frozenset[str] = frozenset({"installations", "retained_follow_ups", "milestones"})
#: Families whose names carry a detail: ``<family>:<detail>``.
FAMILIES: frozenset[str] = frozenset({"industry_share", "product_share", "revenue_band_share"})


def _completion(m: Metric) -> Metric:
    return Metric(
        f"{m.name}_completion",
        f"{m.label_zh}完成率",
        f"{m.label_en}: completion",
        RATE,
        0,
        None,
        False,
        False,
        "ratio",
    )


def _registry() -> dict[str, Metric]:
    out = {m.name: m for m in _BASE}
    for m in _BASE:
        if m.targetable:
            c = _completion(m)
            out[c.name] = c
    return out


#: Every metric by name, in dashboard order (base metrics, then completions).
METRICS: dict[str, Metric] = _registry()
#: Names a target may be set for.
TARGETABLE: tuple[str, ...] = tuple(m.name for m in _BASE if m.targetable)


def metric(name: str) -> Metric:
    """The registry entry for a metric name.

    ``'industry_share:retail'`` and the like resolve to their family entry. Raises KeyError
    with the unknown name for anything else not registered.
    """
    found = METRICS.get(name) or METRICS.get(name.split(":", 1)[0] if ":" in name else "")
    if found is None:
        raise KeyError(f"Unknown metric {name!r}: not in domain.metrics.METRICS")
    return found
