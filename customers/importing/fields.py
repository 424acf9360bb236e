"""The fields an import can fill, the header texts that name them and the values of the
enumerated fields (docs/domain, section 5)."""

from __future__ import annotations

from domain.stages import STAGES

KINDS = ("customers", "revenue")

# --------------------------------------------------------------------------- synonyms
# Field -> header texts that mean it. Written naturally; normalise_header() is applied
# when the lookup is built, so "short name", "Short Name" and "ShortName" are the same.
# Matching is exact after normalisation (substring matching would map 英文名称 to name).

# fmt: off
_IDENTIFIER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "公司全称", "客户名称", "客户全称", "企业名称", "名称", "公司名称", "单位名称",
        "客户", "name", "customer", "company", "customer name", "company name",
    ),
    "credit_code": (
        "统一社会信用代码", "社会信用代码", "信用代码", "纳税人识别号", "税号",
        "credit code", "uscc", "unified social credit code",
    ),
    "external_code": (
        "客户编号", "客户编码", "外部编码", "外部编号", "编号", "公司代码", "A股代码",
        "证券代码", "股票代码", "代码", "symbol", "code", "customer code", "external code",
    ),
}

CUSTOMER_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_IDENTIFIER_SYNONYMS,
    "short_name": (
        "简称", "客户简称", "公司简称", "A股简称", "证券简称", "股票简称", "short name",
    ),
    "industry": ("所属行业", "行业", "industry"),
    # tushare's "area" is a short province or city name (深圳); SZSE's 地区 is a region
    # (华南) and is deliberately not mapped.
    "province": ("省份", "省", "所在省份", "province", "area"),
    "city": ("城市", "市", "所在城市", "city"),
    "address": ("注册地址", "地址", "办公地址", "联系地址", "address"),
    "website": ("公司网址", "网址", "网站", "website", "url"),
    # 姓名 (a person's name) in a company list is the contact, not the customer; the
    # customer export heads its name column 客户名称 / Customer name.
    "contact_name": (
        "联系人", "联系人姓名", "姓名", "主要联系人", "contact", "contact name",
        "primary contact",
    ),
    "contact_phone": (
        "手机号码", "手机", "手机号", "联系电话", "电话", "联系人手机", "联系人电话",
        "phone", "mobile", "tel", "contact phone",
    ),
    "contact_email": ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail", "mail"),
    "segment": ("客户类型", "客户分类", "客户类别", "客户群", "segment", "customer segment"),
    "size": ("规模", "企业规模", "员工人数", "人数", "size", "employees"),
    "source": ("来源", "客户来源", "source"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks"),
    "owner": ("客户经理", "负责人", "归属人", "owner"),
    "team": ("团队", "小组", "team"),
    "stage": ("阶段", "销售阶段", "客户阶段", "stage"),
    "stage_date": ("阶段日期", "进入本阶段时间", "stage date", "in stage since"),
    "needs": ("需求分析", "客户需求", "needs", "needs analysis"),
    "latest_news": ("企业最新动态", "最新动态", "latest news", "latest company news"),
    "listed_on": ("上市日期", "A股上市日期", "list_date", "listed on", "listing date"),
    "founded_on": (
        "成立日期", "成立时间", "注册日期", "公司成立日期", "founded", "founded on",
        "date founded", "established",
    ),
}

REVENUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    **_IDENTIFIER_SYNONYMS,
    "month": ("月份", "账期", "收入月份", "出账月份", "账务月份", "月", "month", "period"),
    "billed": (
        "出账收入", "业务收入", "收入", "收入金额", "出账金额", "金额", "月收入",
        "billed", "revenue", "amount",
    ),
    "product": ("产品", "业务", "产品名称", "业务名称", "product"),
    "notes": ("备注", "说明", "notes", "note", "remark", "remarks"),
}

KIND_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": CUSTOMER_SYNONYMS,
    "revenue": REVENUE_SYNONYMS,
}

# Value synonyms for enumerated fields; keys are matched after _value_key().
SEGMENT_VALUES: dict[str, str] = {
    "公众客户": "mass", "公众": "mass", "中小企业": "mass", "中小客户": "mass",
    "mass": "mass", "sme": "mass",
    "集团客户": "group", "集团": "group", "大客户": "group", "重要客户": "group",
    "group": "group", "key": "group", "key account": "group",
    # The labels of the customer export (customers.models.Segment), in both languages.
    "公众客户 / 中小企业": "mass", "Mass-market / SME": "mass", "mass-market": "mass",
    "集团客户 / 大客户": "group", "Group / key account": "group",
}

STAGE_VALUES: dict[str, str] = {
    "客户资料": "lead", "线索": "lead", "lead": "lead",
    "目标客户": "target", "目标": "target", "target": "target",
    "建立关系": "relationship", "建立客户关系": "relationship",
    "relationship": "relationship",
    "达成意向": "intent", "达成销售意向": "intent", "意向": "intent", "intent": "intent",
    "成交": "deal", "销售成交": "deal", "deal": "deal", "won": "deal",
    "流失": "lost", "lost": "lost",
    # The labels of the customer export, in both languages (domain.stages.STAGES).
    **{label: s.code for s in STAGES for label in (s.label_zh, s.label_en)},
}

# fmt: on

# How each field's cells are converted (see _CONVERTER_FACTORIES).
FIELD_TYPES: dict[str, str] = {
    "name": "name",
    "short_name": "name",
    "credit_code": "credit_code",
    "external_code": "identifier",
    "contact_phone": "phone",
    "contact_phone2": "phone",
    "industry": "industry",
    "province": "line",
    "city": "line",
    "address": "line",
    "website": "identifier",
    "contact_name": "name",
    "contact_email": "identifier",
    "segment": "segment",
    "size": "line",
    "source": "line",
    "notes": "multiline",
    "needs": "multiline",
    "latest_news": "multiline",
    "owner": "line",
    "team": "identifier",
    "stage": "stage",
    "stage_date": "date",
    "listed_on": "date",
    "founded_on": "date",
    "month": "month",
    "billed": "money_not_negative",
    "product": "line",
}
