"""The variables a template can use (pure): every dotted path of a template's context, its type and a Chinese
description, and the nearest valid name for a misspelt one.

The paths come from the contexts themselves (:mod:`bidkit.core.context`, :mod:`bidkit.core.forms`) built on a
complete data set, so the list cannot drift from what the templates see; the descriptions are looked up by path,
by its last two names, then by its last name (a test keeps every path described).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bidkit.core.templates import Image, ImageRef
from bidkit.core.validation import nearest


def value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "是/否"
    if isinstance(value, ImageRef | Image):
        return "图片"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, Mapping):
        return "表"
    return "文本"


def paths(context: Mapping[str, Any]) -> dict[str, str]:
    """Every dotted path of ``context`` and its type; a list's items as ``name[].field`` (what a ``{% for x in
    name %}`` loop's ``x.field`` is)."""
    out: dict[str, str] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list):
            out[prefix] = "列表"
            merged: dict[str, Any] = {}
            for item in value:
                if isinstance(item, Mapping):
                    merged.update(item)
            if merged:
                walk(merged, f"{prefix}[]")
        else:
            out[prefix] = value_type(value)

    walk(context, "")
    return out


def suggest(name: str, valid: Iterable[str]) -> str | None:
    """The valid path ``name`` most likely meant: its last name corrected among its siblings, or the nearest
    top-level name when that is what is misspelt (``compnay.name`` → ``company``)."""
    known: set[str] = set()
    for path in valid:  # every path and the mappings on its way (company.bank.bank: company, company.bank)
        parts = path.split(".")
        known |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    parent, _, leaf = name.rpartition(".")
    siblings = {p.rpartition(".")[2] for p in known if p.rpartition(".")[0] == parent}
    if siblings:
        guess = nearest(leaf, siblings)
        return f"{parent}.{guess}" if parent and guess else guess
    if parent:  # the parent itself is unknown: correct the first wrong name on the way
        return suggest(parent, known)
    return None


@dataclass(frozen=True)
class Var:
    path: str
    kind: str
    description: str


def variables(context: Mapping[str, Any], skip: Iterable[str] = ()) -> list[Var]:
    """The described variables of a context, in its order, without the paths under ``skip`` prefixes."""
    out = []
    for path, kind in paths(context).items():
        if any(path == s or path.startswith((s + ".", s + "[")) for s in skip):
            continue
        out.append(Var(path, kind, describe(path)))
    return out


def describe(path: str) -> str:
    plain = path.replace("[]", "")
    names = plain.split(".")
    for key in (plain, ".".join(names[-2:]), names[-1]):
        if key in DESCRIPTIONS:
            return DESCRIPTIONS[key]
    return ""


DESCRIPTIONS: dict[str, str] = {
    # the bidder
    "company": "投标人（公司）", "company.name": "投标人名称（公司全称）", "credit_code": "统一社会信用代码",
    "legal_rep": "法定代表人", "company.legal_rep.name": "法定代表人姓名", "address": "地址",
    "postcode": "邮政编码", "phone": "电话", "fax": "传真", "email": "电子邮箱", "registered_capital": "注册资本",
    "founded": "成立日期（2012年6月18日）", "bank": "开户银行", "company.bank": "基本存款账户",
    "account_name": "户名", "account_number": "账号", "id_number": "身份证号码", "id_card": "身份证复印件",
    "id_card.front": "身份证正面图片", "id_card.back": "身份证反面图片",
    # the project
    "project": "项目", "project.code": "项目代码（公司内部编号）", "project.name": "项目名称", "project.type":
    "项目类型（自营把控、战略意义、竞争投标）", "project.location": "项目地点", "customer": "客户（采购人）",
    "customer.name": "客户名称", "contact": "联系人", "team": "项目小组", "team.role": "角色",
    "project.budget": "客户预算（小写，内部资料）", "budget_upper": "客户预算（人民币大写，内部资料）",
    # the tender
    "tender": "招标文件", "tender.number": "招标编号", "tender.project_name": "项目名称（招标文件中的写法）",
    "purchaser": "采购人", "agency": "采购代理机构", "tender.method": "采购方式（公开招标、竞争性磋商……）",
    "evaluation_method": "评标方法（综合评分法、最低评标价法）", "lot": "包号 / 标段",
    "published": "公告日期", "tender.deadline": "投标截止时间（2026年12月28日 09:30）", "opening_place": "开标地点",
    "tender.bid_validity_days": "招标文件要求的投标有效期（天）", "budget_amount": "预算金额（小写）",
    "budget_amount_upper": "预算金额（人民币大写）", "control_price": "最高限价（小写）",
    "control_price_upper": "最高限价（人民币大写）", "tender.bid_bond": "投标保证金（小写）",
    "bid_bond_upper": "投标保证金（人民币大写）", "tax_included": "含税 / 不含税",
    "tender.delivery_days": "招标文件要求的工期（日历天）", "tender.warranty_years": "招标文件要求的质保期（年）",
    "tender.response_time": "招标文件要求的售后响应时间（2 小时）",
    # the bid
    "bid": "投标条款", "bid.date": "投标日期", "bid.validity_days": "投标有效期（天）",
    "bid.delivery_days": "承诺工期（日历天）", "bid.warranty_years": "承诺质保期（年）", "copies": "副本份数",
    "payment_terms": "付款方式的响应", "chapter": "本章", "chapter.id": "本章编号（tender.yaml chapters 的 id）",
    "chapter.title": "本章标题（招标文件中的写法）", "volume": "本分册", "volume.id": "分册编号",
    "volume.title": "分册标题",
    # prices (price chapters only)
    "prices": "报价（只在报价章节中，质量审核通过后才有）", "prices.lines": "分项报价（每个设备清单行一项）",
    "unit_price": "单价（小写）", "lines.total": "合价（小写）", "subtotal": "合计（不含税）", "prices.tax": "税额",
    "tax_rate": "税率（13%）", "prices.total": "投标总价（小写，1,234,567.89）",
    "total_upper": "投标总价（人民币大写）", "prices.note": "报价说明",
    # rows and tables
    "no": "序号", "id": "编号", "name": "名称", "title": "标题", "legal_rep.title": "职务", "agent.title": "职务",
    "approval.title": "审批人职务", "solution.title": "技术方案标题", "overview": "方案概述", "sections": "方案章节",
    "paragraphs": "段落（每段一项）", "bullets": "要点（每条一项）", "brand": "品牌", "model": "型号",
    "spec": "主要技术参数", "qty": "数量", "unit": "单位", "origin": "产地", "note": "备注", "clause": "条款号",
    "star": "★（实质性条款）或空", "requirement": "招标要求", "response": "投标响应", "deviation": "偏离情况",
    "rows": "表格各行", "references": "类似项目业绩", "references.customer": "业主单位", "references.project":
    "项目名称", "year": "年份", "amount": "金额（小写）", "summary": "概述", "after_sales": "售后服务承诺（每条一项）",
    "response_time": "售后响应时间（30 分钟、2 小时）", "response_time_hours": "售后响应时间（小时数，旧写法）",
    "qualifications": "资格证明文件（本章附的证书）", "qualifications.number": "证书编号",
    "issuer": "发证机关", "valid_until": "有效期至", "bom": "设备清单", "authorisation": "授权委托",
    "agent": "被授权人", "authorisation.date": "授权日期", "sme": "中小企业声明函", "statement": "声明内容",
    "industry": "所属行业", "maker_label": "制造商 / 承建单位 / 承接企业", "manufacturer": "制造商",
    "employees": "从业人员（人）", "revenue": "营业收入（万元）", "assets": "资产总额（万元）", "size": "企业规模",
    "solution": "技术方案", "construction": "施工组织设计", "summary.at": "截至日期",
    "tasks": "进度计划", "staffing": "人员安排", "count": "人数", "names": "人员名单", "start": "开始日期",
    "end": "结束日期", "days": "天数", "owner": "负责人", "role": "角色 / 岗位", "department": "部门",
    "qualification": "资格", "quality_measures": "质量保证措施", "safety_measures": "安全文明施工措施",
    "total_days": "总工期（天）", "organisation": "项目管理机构（有名单的岗位）", "duties": "主要职责",
    "equipment": "主要施工机械设备及检测仪器", "purpose": "用途", "emergency_plans": "应急预案",
    "risk": "风险（可能发生的情况）", "measures": "应对措施（每条一项）",
    "schedule_chart": "施工进度横道图（图片，由模板放置）",
    # feasibility, initiation, approvals
    "feasibility": "可行性分析", "prepared_by": "编制人", "date": "日期", "source": "信息来源",
    "opportunity": "项目机会", "customer_needs": "客户需求", "competitors": "竞争对手", "strengths": "优势",
    "weaknesses": "劣势", "relationship": "客户关系", "success_estimate": "成功率估计（%）",
    "strategic_value": "战略价值", "risks": "风险", "conclusion": "结论", "approval": "审批",
    "approver": "审批人", "decision": "审批意见（同意、不同意、待审批）", "comment": "意见",
    "initiation": "立项申请", "requested_by": "申请人", "reason": "理由", "expected_start": "预计开工",
    "expected_end": "预计完工", "review_meeting": "立项评审会评分", "reviewer": "评审人", "score": "得分",
    "average_score": "平均分",
    # acceptance
    "record": "验收记录", "kind": "类型", "location": "地点", "inspectors": "验收人员", "result": "结果",
    "checklist": "检查项", "item": "项目", "standard": "标准", "remark": "备注", "notice": "整改意见书",
    "issued": "签发日期", "items": "各项", "problem": "问题", "action": "整改措施", "deadline": "整改期限",
    "responsible": "责任人", "done": "完成日期", "rounds": "验收轮次",
    # after the award
    "award": "中标与合同", "notice_date": "中标通知书日期", "notice_number": "中标通知书编号",
    "contract_number": "合同编号", "contract_date": "合同签订日期", "contract_amount": "合同金额（小写）",
    "contract_amount_upper": "合同金额（人民币大写）", "construction_days": "合同工期（天）",
    "construction_deadline": "完工期限", "supply_days": "供货期（天）", "supply_deadline": "供货期限",
    "warranty_years": "质保期（年）", "bond": "保证金", "amount_upper": "金额（人民币大写）", "paid": "缴纳日期",
    "payer_account": "付款账户", "reference": "凭证号", "to": "收款单位", "letter": "履约保证金缴纳函",
    "form": "形式（转账 / 保函）", "guarantee": "保函", "share": "比例", "registration": "报名",
    "registration.number": "报名编号", "refund": "退回申请", "formal_id": "正式验收记录编号",
    "warranty_start": "质保期开始", "warranty_end": "质保期结束", "request": "回款申请", "instalment": "付款阶段",
    "percent": "比例（%）", "condition": "付款条件", "milestone": "达成情况", "basis": "依据",
    "attachments": "附件", "received_before": "此前已回款", "received_count": "此前回款次数",
    "remaining": "尚未回款（小写）", "remaining_upper": "尚未回款（人民币大写）", "outstanding": "未结清",
    "applicant": "申请人", "manager": "项目经理", "plan": "计划", "state": "状态", "report": "报告",
    "at": "截至日期", "period": "期间", "period_label": "期间名称", "period_start": "期间开始",
    "plan_start": "计划开始", "plan_end": "计划结束", "planned": "计划（%）", "actual": "实际（%）", "gap": "偏差",
    "done_count": "已完成任务数", "task_count": "任务数", "late_count": "延误数", "on_time_rate": "准时率",
    "variance": "偏差金额", "variance_rate": "偏差率", "orders": "订单", "budget": "预算", "cost": "成本",
    "slippage": "延误（天）", "this_period": "本期进度", "work": "工作内容", "progress": "进度",
    "day": "当日", "weekday": "星期", "weather": "天气", "temperature": "气温", "people": "人数",
    "recorded_by": "记录人", "issues": "问题", "extra_work": "其他工作", "staff": "人员", "charts": "图表",
    "gantt": "横道图（图片）", "curve": "计划与实际进度曲线", "assessment": "考评", "who": "对象",
    "what": "考评项", "figures": "数据", "rates": "准时率", "on_time": "准时数", "total": "合计 / 总数",
    "rate": "比率", "stages": "阶段", "planned_start": "计划开始", "planned_end": "计划结束",
    "actual_start": "实际开始", "actual_end": "实际结束", "first_pass": "一次通过", "internal_rounds": "内部验收轮次",
    "review_requests": "审核申请次数", "review_approvals": "审核通过次数", "review_rejections": "审核退回次数",
    "rectifications": "整改", "on_time_rect": "按期整改", "schedule": "供货计划", "arrival": "到货日期",
    "supply": "供货方案", "logistics": "物流安排", "inspection": "到货检验", "suppliers": "供应商",
    "grade": "评级", "due": "应到数", "defects": "缺陷数", "late": "延误", "late_days": "延误天数",
    "promised": "承诺日期", "arrivals": "到货", "supplier": "供应商", "arrived": "到货日期", "number": "编号",
    "payment": "付款",
    "planned_days": "计划人天", "actual_days": "实际人天", "planned_now": "计划在岗", "actual_now": "实际在岗",
    "planned_period_days": "本期计划人天", "staffing.role": "岗位",
}

__all__ = ["DESCRIPTIONS", "Var", "describe", "paths", "suggest", "value_type", "variables"]
