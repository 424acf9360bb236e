"""Demo customers for ``seed_demo``.

About 600 real companies from the Shenzhen exchange's public list
(``demo_data/szse_a_share_companies_2025.xlsx``, see demo_data/SOURCES.md) are imported
THROUGH the import engine (customers.import_service), spread over the demo teams' reps
with a funnel-shaped history over the last 12 months: many leads and targets, fewer
relationships and intents, some deals, a few lost, and a few customers left in each
team's public pool. Every customer gets a contact with a Chinese name and a mobile
number; deals get a contract and, for each month after the deal up to last month,
revenue imported through the engine as a billing export. Billing is closed up to last
month, so lagged ARPU for the current month is pending (docs/domain section 9).

Deterministic for a given random generator, idempotent (a second run finds the demo
import and adds nothing) and quick (a few seconds).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import GIVEN, SURNAMES, TEAMS, DemoOrg
from accounts.models import User
from accounts.scoping import local_today, team_of

from .import_service import billing_month_close, import_job_create, import_job_execute
from .importing import parse_file
from .models import (
    BillingMonth,
    Contact,
    Contract,
    Customer,
    ImportJob,
    RevenueRecord,
    Stage,
    StageChange,
)
from .services import customer_change_stage

DATA_FILE = Path(__file__).resolve().parent / "demo_data" / "szse_a_share_companies_2025.xlsx"
CUSTOMERS_FILE = "demo-szse-customers.xlsx"
REVENUE_FILE = "demo-billing-export.xlsx"
COMPANIES = 600
POOL_SHARE = 0.06

# Final stage -> share of the demo customers (a funnel: docs/domain section 6).
FINAL_STAGES = [
    (Stage.LEAD, 0.34),
    (Stage.TARGET, 0.24),
    (Stage.RELATIONSHIP, 0.15),
    (Stage.INTENT, 0.11),
    (Stage.DEAL, 0.10),
    (Stage.LOST, 0.06),
]
# How a sales team writes the stages in its sheets (docs/domain, section 11).
STAGE_TEXT: dict[str, str] = {
    Stage.LEAD: "客户资料",
    Stage.TARGET: "目标客户",
    Stage.RELATIONSHIP: "建立关系",
    Stage.INTENT: "达成意向",
    Stage.DEAL: "成交",
    Stage.LOST: "流失",
}
PATH = [Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT, Stage.DEAL]
TITLES = ["信息中心主任", "IT经理", "行政经理", "采购经理", "总经理助理", "网络主管", "办公室主任"]
ROLES = [
    Contact.DecisionRole.DECISION_MAKER,
    Contact.DecisionRole.INFLUENCER,
    Contact.DecisionRole.USER,
    Contact.DecisionRole.GATEKEEPER,
]
NEEDS = [
    "总部与分支机构互联，需要云专线和SD-WAN",
    "新办公楼综合布线与千兆企业宽带",
    "呼叫中心扩容，需要400号码与云客服坐席",
    "视频会议系统升级，覆盖全国分支",
    "门店Wi-Fi与收银专线，要求故障4小时修复",
    "工厂5G专网与设备联网，先做一个车间试点",
    "数据中心机柜托管与异地灾备",
]
PRODUCTS_MASS = [
    ("企业宽带 500M", 680),
    ("固话+宽带融合套餐", 520),
    ("云桌面 20 座席", 1600),
    ("商务专线 100M", 2200),
]
PRODUCTS_GROUP = [
    ("云专线 1G", 18000),
    ("5G专网", 36000),
    ("IDC机柜托管", 12500),
    ("SD-WAN组网", 9800),
]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "177",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
]


def _pick_final(rng: random.Random) -> str:
    x = rng.random()
    for stage, share in FINAL_STAGES:
        if x < share:
            return stage
        x -= share
    return Stage.LEAD


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if number not in used:
            used.add(number)
            return number


def _path_dates(rng: random.Random, final: str, today: dt.date) -> list[tuple[str, dt.date]]:
    """The stages a customer passes after lead, with their dates; the first entry is
    the lead itself. Some customers skip 'relationship' (a skipped stage counts as
    reached at the same time, docs/domain section 9)."""
    start = today - dt.timedelta(days=rng.randint(20, 360))
    steps: list[tuple[str, dt.date]] = [(Stage.LEAD, start)]
    day = start
    if final == Stage.LEAD:
        return steps
    lost_after = None
    if final == Stage.LOST:
        lost_after = rng.choice([Stage.LEAD, Stage.TARGET, Stage.TARGET, Stage.RELATIONSHIP])
    stop = final if final != Stage.LOST else lost_after
    for stage in PATH:
        if stop == Stage.LEAD:
            break
        if stage == Stage.RELATIONSHIP and stop != Stage.RELATIONSHIP and rng.random() < 0.2:
            continue
        day = min(today, day + dt.timedelta(days=rng.randint(6, 45)))
        steps.append((stage, day))
        if stage == stop:
            break
    if final == Stage.LOST:
        day = min(today, day + dt.timedelta(days=rng.randint(10, 60)))
        steps.append((Stage.LOST, day))
    return steps


def _workbook(headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户")
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _run_import(admin: User, name: str, data: bytes, kind: str) -> ImportJob:
    upload = ContentFile(data, name=name)
    job = import_job_create(by=admin, upload=upload, kind=kind, options={})
    return import_job_execute(job=job)


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    """Import the demo customers and give them history, contracts and revenue."""
    if ImportJob.objects.filter(
        original_name=CUSTOMERS_FILE, status=ImportJob.Status.DONE
    ).exists():
        stdout.write("customers: demo customers already imported")
        return
    with transaction.atomic():
        _seed(org, rng, stdout)


def _seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    today = local_today()
    parsed = parse_file(DATA_FILE.read_bytes(), kind="customers")
    companies = [r.values for r in parsed.valid_rows]
    picked = sorted(rng.sample(range(len(companies)), min(COMPANIES, len(companies))))
    teams = org.teams
    used_phones: set[str] = set()
    plans: dict[str, dict[str, Any]] = {}  # external code -> plan
    rows = []
    for n, index in enumerate(picked):
        company = companies[index]
        team = teams[n % len(teams)]
        reps = org.reps[team.pk]
        in_pool = rng.random() < POOL_SHARE
        owner = None if in_pool else rng.choice(reps)
        final = Stage.LEAD if in_pool else _pick_final(rng)
        steps = _path_dates(rng, final, today)
        first_stage, first_day = (
            steps[1] if len(steps) > 1 and steps[1][0] != Stage.LOST else steps[0]
        )
        person = rng.choice(SURNAMES) + rng.choice(GIVEN)
        code = str(company["external_code"])
        plans[code] = {"owner": owner, "team": team, "steps": steps, "final": final}
        rows.append(
            [
                company["name"],
                company.get("short_name") or "",
                code,
                company.get("industry") or "",
                company.get("province") or "",
                company.get("city") or "",
                company.get("address") or "",
                company.get("website") or "",
                company.get("listed_on"),
                owner.username if owner else "",
                team.code,
                STAGE_TEXT[first_stage],
                first_day,
                person,
                _mobile(rng, used_phones),
            ]
        )
    headers = [
        "公司全称",
        "A股简称",
        "A股代码",
        "所属行业",
        "省份",
        "城市",
        "注册地址",
        "公司网址",
        "上市日期",
        "客户经理",
        "团队",
        "阶段",
        "阶段日期",
        "联系人",
        "手机号码",
    ]
    job = _run_import(org.admin, CUSTOMERS_FILE, _workbook(headers, rows), "customers")
    customers = {
        c.external_code: c
        for c in Customer.objects.filter(external_code__in=plans, team__in=teams).select_related(
            "owner", "team"
        )
    }
    _contacts_detail(rng, customers)
    deals = _history(org, rng, plans, customers)
    contracts = _contracts(org, rng, deals, today)
    revenue_job = _revenue(org, rng, contracts, today)
    _close_months(org, today)
    stdout.write(
        f"customers: {job.created_count} imported ({job.duplicate_count} skipped), "
        f"{len(deals)} deals, {len(contracts)} contracts, "
        f"{revenue_job.created_count if revenue_job else 0} revenue records"
    )


def _contacts_detail(rng: random.Random, customers: dict[str, Customer]) -> None:
    contacts = list(Contact.objects.filter(customer__in=customers.values()))
    for contact in contacts:
        contact.title = rng.choice(TITLES)
        contact.decision_role = rng.choice(ROLES)
        contact.is_project_owner = True
        contact.email = ""
    Contact.objects.bulk_update(contacts, ["title", "decision_role", "is_project_owner"])


def _history(
    org: DemoOrg,
    rng: random.Random,
    plans: dict[str, dict[str, Any]],
    customers: dict[str, Customer],
) -> list[tuple[Customer, dt.date]]:
    """Play the stages after the imported one through the stage service; returns the
    deals with their dates."""
    needy = [
        c
        for code, c in customers.items()
        if any(s in (Stage.INTENT, Stage.DEAL) for s, _d in plans[code]["steps"])
    ]
    for customer in needy:
        customer.needs = rng.choice(NEEDS)
    Customer.objects.bulk_update(needy, ["needs"])
    deals = []
    # History ends yesterday: nothing of the demo lands in today's (partial) day, week or
    # month as if it had just happened.
    latest = timezone.localdate() - dt.timedelta(days=1)
    for code, customer in customers.items():
        steps = plans[code]["steps"]
        later = steps[2:] if len(steps) > 1 and steps[1][0] != Stage.LOST else steps[1:]
        for i, (stage, planned_day) in enumerate(later):
            day = min(planned_day, latest)
            # Increasing hours keep same-day steps in order.
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(10 + i)))
            customer_change_stage(
                customer=customer,
                to_stage=stage,
                by=customer.owner,
                at=at,
                source=StageChange.Source.SYSTEM,
                check_required=False,
            )
            if stage == Stage.DEAL:
                deals.append((customer, day))
    return deals


def _contracts(
    org: DemoOrg, rng: random.Random, deals: list[tuple[Customer, dt.date]], today: dt.date
) -> list[Contract]:
    contracts = []
    for customer, day in deals:
        group = customer.segment == "group"
        product, base = rng.choice(PRODUCTS_GROUP if group else PRODUCTS_MASS)
        value = Decimal(round(base * rng.uniform(0.8, 1.4), -1))
        contracts.append(
            Contract(
                customer=customer,
                signed_on=day,
                products=product,
                monthly_value=value,
                term_months=rng.choice([12, 24, 36]),
                rep=customer.owner,
                team=team_of(customer.owner, day) or customer.team,
            )
        )
    Contract.objects.bulk_create(contracts)
    return contracts


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _revenue(
    org: DemoOrg, rng: random.Random, contracts: list[Contract], today: dt.date
) -> ImportJob | None:
    """Monthly billing of each deal for the months after the deal up to last month,
    imported as a billing export through the engine; received mostly in full."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rows = []
    for contract in contracts:
        first = (contract.signed_on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        for month in _months_between(first, last_month):
            billed = Decimal(str(round(float(contract.monthly_value) * rng.uniform(0.9, 1.15), 2)))
            rows.append(
                [
                    contract.customer.external_code,
                    month.strftime("%Y-%m"),
                    contract.products,
                    billed,
                ]
            )
    if not rows:
        return None
    data = _workbook(["客户编号", "账期", "产品", "出账收入"], rows)
    job = _run_import(org.admin, REVENUE_FILE, data, "revenue")
    records = list(RevenueRecord.objects.filter(import_job=job))
    for record in records:
        share = (
            Decimal("1") if rng.random() < 0.9 else Decimal(str(round(rng.uniform(0.3, 0.9), 2)))
        )
        record.received = (record.billed * share).quantize(Decimal("0.01"))
    RevenueRecord.objects.bulk_update(records, ["received"])
    return job


def _close_months(org: DemoOrg, today: dt.date) -> None:
    """Billing is in up to last month: close the last 12 months that no import closed."""
    first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for month in _months_between(first, last):
        billing_month_close(month=month, by=org.admin)


def reset() -> None:
    """Delete the demo customers (with their history, contacts, contracts and revenue),
    the demo import jobs and their files, and the billing months they closed."""
    codes = [t[0] for t in TEAMS]
    jobs = list(ImportJob.objects.filter(original_name__in=[CUSTOMERS_FILE, REVENUE_FILE]))
    BillingMonth.objects.filter(
        Q(import_job__in=jobs)
        | Q(closed_by__username="admin", closed_by__email__endswith="@demo.salesops.local")
    ).delete()
    Customer.objects.filter(team__code__in=codes).delete()
    for job in jobs:
        if job.file:
            job.file.delete(save=False)
        if job.error_file:
            job.error_file.delete(save=False)
        job.delete()
