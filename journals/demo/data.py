"""Fixed texts and tuning of the journals demo: rep profiles, topics and phrases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..models import (
    Purpose,
)

DAYS = 91

PROFILES: dict[str, dict[str, Any]] = {
    "strong": {
        "plan": (4, 6),
        "done": 0.9,
        "extra": 0.3,
        "prep": 0.95,
        "next": 0.9,
        "dated": 0.9,
        "advance": 0.16,
        "checkin": 0.85,
        "kept": 0.9,
        "unnamed": 0.0,
        "late": 0.03,
        "missing": 0.0,
        "learning": 0.85,
        "appointments": (1, 3),
        "follow_ups": (1, 2),
    },
    "average": {
        "plan": (3, 4),
        "done": 0.8,
        "extra": 0.15,
        "prep": 0.7,
        "next": 0.7,
        "dated": 0.6,
        "advance": 0.09,
        "checkin": 0.55,
        "kept": 0.7,
        "unnamed": 0.05,
        "late": 0.1,
        "missing": 0.03,
        "learning": 0.6,
        "appointments": (0, 2),
        "follow_ups": (0, 2),
    },
    "weak": {
        "plan": (1, 3),
        "done": 0.6,
        "extra": 0.05,
        "prep": 0.2,
        "next": 0.3,
        "dated": 0.25,
        "advance": 0.04,
        "checkin": 0.2,
        "kept": 0.3,
        "unnamed": 0.35,
        "late": 0.25,
        "missing": 0.12,
        "learning": 0.25,
        "appointments": (0, 1),
        "follow_ups": (0, 1),
    },
}
#: Profile by the rep's position in the team (the first is the demo login).
ORDER = ["average", "strong", "weak", "average", "weak", "strong"]

TOPICS = [
    (
        "顾问式销售：先问需求再推荐",
        "先问清楚客户现在用什么、哪里不满意，再谈产品，成功率明显更高。",
    ),
    ("异议处理：价格太贵怎么办", "把价格拆到每天每人，对比客户现在的隐性成本。"),
    ("集团专线产品知识", "专线的SLA和互联网宽带的区别要讲清楚，客户最关心的是稳定性。"),
    ("电话约访话术", "开场30秒说清楚给客户带来的价值，约时间用二选一。"),
    ("客户关系开发：找到项目负责人", "先找行政或IT负责人，再通过他们了解决策链。"),
    ("云视频会议解决方案", "演示比讲解有效，带上平板现场开会。"),
    ("促成技巧：假设成交法", "客户已经认可方案时，直接讨论开通时间和安装地址。"),
    ("老客户回访与转介绍", "服务回访时顺便问一句还有哪些朋友的公司需要。"),
]
PREPARATION = {
    Purpose.FIRST: [
        "准备公司介绍和宽带/专线资费单页",
        "查好客户行业和最新动态，准备三个需求问题",
        "带名片和产品手册，了解对方负责人姓名",
    ],
    Purpose.EXPLANATION: [
        "准备专线+云会议组合方案和报价",
        "带上成功案例（同行业两家）",
        "准备针对上次提出的价格异议的对比表",
    ],
    Purpose.CLOSING: [
        "带合同文本和开通申请表",
        "确认优惠审批已通过，准备签约材料",
        "准备开通排期和工程协调联系人",
    ],
    Purpose.APPOINTMENT: ["电话约访，二选一约时间"],
    Purpose.COLLECTION: ["核对欠费明细，准备发票"],
    Purpose.SERVICE: ["了解近期故障记录，准备满意度回访"],
    Purpose.RESEARCH: ["准备需求调研问卷"],
    Purpose.COORDINATION: ["联系装维，协调开通时间"],
}
LEARNED = [
    "现在用的是友商的100M宽带，经常掉线，合同年底到期",
    "办公室下个月搬迁，需要新装专线",
    "IT负责人是王经理，采购由总经理审批",
    "分公司有5个，正在考虑视频会议",
    "对价格敏感，希望有两年的优惠",
    "对现有服务基本满意，暂无新需求",
    "已经在比较两家的方案，下周内部讨论",
]
AGREED = [
    "同意我们出一份专线方案",
    "同意下周安排技术人员现场勘察",
    "答应把需求清单发给我",
    "同意试用云视频会议一个月",
    "同意在月底前确定方案",
]
ANALYSIS = [
    "需求明确，决策人已接触，成功率较高",
    "预算有限，需要突出性价比",
    "竞争对手在跟进，要加快节奏",
    "关键人还没见到，需要通过王经理引荐",
    "客户兴趣一般，暂时作为培育客户",
]
NEXT_STEPS = [
    "送方案和报价",
    "约技术人员现场勘察",
    "拜访总经理",
    "电话确认试用效果",
    "带合同上门",
    "回访了解内部讨论结果",
]
VAGUE = ["去了一趟", "聊了聊", "客户说再看看", ""]
NEEDS = ["千兆专线+云视频会议，五个分支互联", "办公宽带提速并增加固定IP", "移动办公套餐和专线备份"]
SUMMARIES = {
    "strong": [
        "今天完成计划拜访，两个客户同意出方案，一个客户推进到下一阶段。明天重点跟进方案。",
        "按计划完成拜访和约访，准备充分，客户反馈好。",
    ],
    "average": ["完成了大部分拜访计划，有一家客户临时改期。", "拜访效果一般，需要更好地准备方案。"],
    "weak": ["今天跑了几家客户。", "客户都不在，明天再去。", "忙了一天。"],
}
EVALUATIONS = {
    "strong": [
        "准备充分，后续安排清楚，继续保持！可以在周例会上分享一下需求挖掘的做法。",
        "效率很高，注意大客户决策链的梳理。",
    ],
    "average": [
        "拜访量达标，但准备内容可以更具体，每次拜访前写清楚要问的三个问题。",
        "后期安排要约定具体日期，才能算有效拜访。",
    ],
    "weak": [
        "拜访对象和目的不明确，明早一起确定目标客户并制定日访问计划。",
        "工作量明显不足，拜访前没有准备，今天下午一起做客户沟通内容的准备。",
        "没有后期跟进，每个客户都要约定下一步和日期。",
    ],
}
COMMENTS = [
    "@{rep} 这个客户可以申请集团优惠，我来协调。",
    "明天晨会分享一下这个案例。",
    "注意跟进时间，别让客户等太久。",
]
REPLIES = ["收到，明天就去。", "好的，谢谢主管！"]
CENTER = (Decimal("22.540000"), Decimal("114.060000"))  # Shenzhen
