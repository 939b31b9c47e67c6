"""Generate the bundled templates of the documents after the award, in the style of build_templates.py.

    .venv/bin/python tools/build_report_templates.py [output-dir]

Each template uses only the names its builder in ``bidkit/core/context.py`` produces. The construction report holds
two charts (``charts.gantt``, ``charts.curve``) that bidkit.pipeline.reports inserts as images; the supply report and
the cost analysis (成本与报价分析, before the price) are marked 内部资料 in their header (every page) and title.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_templates import (
    HEI,
    LABEL_FILL,
    OUT_DIR,
    ROOT,
    SI,
    WU,
    Builder,
    Col,
)

MANAGER_SIGN = "项目经理：{{ manager }}　　　　　　日期：{{ report.at }}"


def contract_form(b: Builder) -> None:
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["项目名称", ("{{ project.name }}", 3)],
            ["项目编号", "{{ project.code }}", "招标编号", "{{ tender.number }}"],
            ["建设单位", "{{ project.customer.name }}", "施工单位", "{{ company.name }}"],
            ["合同编号", "{{ award.contract_number }}", "合同签订", "{{ award.contract_date }}"],
            ["中标通知书", "{{ award.notice_number }}", "项目经理", "{{ manager }}"],
        ],
    )


def construction_plan() -> Builder:
    b = Builder(title="施工方案", header="{{ company.name }}　施工方案", bid_part=False)
    b.title("施工方案", "{{ project.name }}")
    contract_form(b)
    b.h1("一、工程概况与工期目标")
    b.lines("plan.summary")
    b.p("合同约定工期：合同签订后 {{ award.construction_days }} 日历天内完成安装调试（{{ award.construction_deadline }}"
        " 前）；设备于 {{ award.supply_deadline }} 前全部到货。计划总工期 {{ plan.total_days }} 日历天。")
    b.h1("二、施工进度计划")
    b.table(
        [
            Col("序号", 1.2, "{{ t.no }}"),
            Col("编号", 1.2, "{{ t.id }}"),
            Col("工作内容", 4.4, "{{ t.name }}", "left"),
            Col("开始日期", 3.0, "{{ t.start }}"),
            Col("结束日期", 3.0, "{{ t.end }}"),
            Col("工期（天）", 1.5, "{{ t.days }}"),
            Col("负责", 2.0, "{{ t.owner }}"),
        ],
        loop="t in plan.tasks",
    )
    b.h1("三、劳动力及人员配备计划")
    b.table(
        [
            Col("序号", 1.2, "{{ s.no }}"),
            Col("岗位", 3.2, "{{ s.role }}", "left"),
            Col("人数", 1.2, "{{ s.count }}"),
            Col("进场日期", 3.2, "{{ s.start }}"),
            Col("退场日期", 3.2, "{{ s.end }}"),
            Col("人员", 4.3, "{{ s.names }}", "left"),
        ],
        loop="s in plan.staffing",
    )
    b.h1("四、质量保证措施")
    b.tag("{%p for m in plan.quality_measures %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.h1("五、安全文明施工措施")
    b.tag("{%p for m in plan.safety_measures %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.p("编制：{{ company.name }}　项目经理：{{ manager }}", style="BK Signature", before=18)
    return b


def construction_report() -> Builder:
    b = Builder(title="项目施工报告书", header="{{ company.name }}　项目施工报告书", bid_part=False)
    b.title("项目施工报告书", "（{{ report.period }}报：{{ report.period_label }}）")
    contract_form(b)
    b.h1("一、总体进度")
    b.p("截至 {{ report.at }}，计划累计完成 {{ report.planned }}，实际累计完成 {{ report.actual }}，"
        "偏差 {{ report.gap }}。全部 {{ report.task_count }} 项任务中已完成 {{ report.done_count }} 项，"
        "滞后 {{ report.late_count }} 项。计划工期 {{ report.plan_start }} 至 {{ report.plan_end }}，"
        "合同完工日期 {{ award.construction_deadline }}。")
    b.p("（进度按各任务计划工期加权计算；计划进度在任务工期内均匀增长。）", style="BK Note")
    b.p("{{ charts.gantt }}", style="BK Center")
    b.p("图 1　施工进度横道图（计划与实际）", style="BK Center", size=WU)
    b.h1("二、各任务计划与实际")
    b.p("本期（{{ report.period_label }}）进度为本期开始前至统计日的实际完成增量；"
        "滞后天数为正表示滞后，为负表示提前。", style="BK Note")
    b.table(
        [
            Col("编号", 1.0, "{{ t.id }}"),
            Col("任务", 3.0, "{{ t.name }}", "left"),
            Col("计划开始", 1.9, "{{ t.plan_start }}"),
            Col("计划完成", 1.9, "{{ t.plan_end }}"),
            Col("实际开始", 1.9, "{{ t.start }}"),
            Col("实际完成", 1.9, "{{ t.end }}"),
            Col("计划%", 1.2, "{{ t.planned }}"),
            Col("实际%", 1.1, "{{ t.actual }}"),
            Col("本期", 1.0, "{{ t.this_period }}"),
            Col("滞后(天)", 1.2, "{{ t.slippage }}"),
        ],
        loop="t in tasks",
        size=8,
    )
    b.h2("滞后任务")
    b.tag("{%p if late %}")
    b.tag("{%p for t in late %}")
    b.p("{{ loop.index }}. {{ t.id }} {{ t.name }}：滞后 {{ t.days }} 天，当前完成 {{ t.actual }}（{{ t.state }}）。")
    b.tag("{%p endfor %}")
    b.tag("{%p else %}")
    b.p("无滞后任务。")
    b.tag("{%p endif %}")
    b.h1("三、累计进度（按{{ report.period }}）")
    b.table(
        [
            Col("期间", 6.3, "{{ c.period }}", "left"),
            Col("计划累计", 3.3, "{{ c.planned }}"),
            Col("实际累计", 3.3, "{{ c.actual }}"),
            Col("偏差（百分点）", 3.4, "{{ c.gap }}"),
        ],
        loop="c in curve",
    )
    b.p("{{ charts.curve }}", style="BK Center")
    b.p("图 2　计划与实际累计进度曲线", style="BK Center", size=WU)
    b.h1("四、人员投入（本期）")
    b.table(
        [
            Col("序号", 1.0, "{{ s.no }}"),
            Col("岗位", 3.6, "{{ s.role }}", "left"),
            Col("计划在场", 1.6, "{{ s.planned_now }}"),
            Col("实际在场", 1.6, "{{ s.actual_now }}"),
            Col("计划人·日（至统计日）", 2.6, "{{ s.planned_days }}"),
            Col("实际人·日（至统计日）", 2.6, "{{ s.actual_days }}"),
            Col("偏差", 1.4, "{{ s.gap }}"),
            Col("本期计划人·日", 1.9, "{{ s.planned_period_days }}"),
        ],
        loop="s in staffing",
        size=9,
    )
    b.p("（在场人数为统计日人数；计划与实际人·日均为本期开始至统计日的累计，可直接比较；"
        "本期计划人·日为整个本期的计划。）", style="BK Note")
    assessment(b, "五、考评（截至统计日）")
    b.p(MANAGER_SIGN, style="BK Signature", before=18)
    return b


def assessment(b: Builder, heading: str) -> None:
    """考评: the figures the records hold; scoring itself stays with 质量管理部."""
    b.h1(heading)
    b.tag("{%p if assessment %}")
    b.table(
        [
            Col("序号", 1.0, "{{ r.no }}"),
            Col("考评对象", 3.2, "{{ r.who }}", "left"),
            Col("考评内容", 3.1, "{{ r.what }}", "left"),
            Col("记录的数据", 6.4, "{{ r.figures }}", "left"),
            Col("偏差", 2.6, "{{ r.deviation }}"),
        ],
        loop="r in assessment",
        size=9,
    )
    b.tag("{%p else %}")
    b.p("暂无可考评的记录。")
    b.tag("{%p endif %}")
    b.p("以上数据由 bidkit 根据工作区记录（进度、验收、整改、审核记录）计算，供质量管理部考核评分参考；"
        "评分本身不在 bidkit 中进行。", style="BK Note")


def construction_log() -> Builder:
    b = Builder(title="施工日志", header="{{ company.name }}　施工日志", bid_part=False)
    b.title("施工日志", "（日报：{{ day.date }} {{ day.weekday }}）")
    contract_form(b)
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["日　　期", "{{ day.date }} {{ day.weekday }}", "天　　气", "{{ day.weather }}"],
            ["气　　温", "{{ day.temperature }}", "现场人数", "{{ day.people }} 人"],
            ["计划累计", "{{ day.planned }}", "实际累计", "{{ day.actual }}（{{ day.gap }}）"],
        ],
    )
    b.h2("一、当日施工内容")
    b.tag("{%p if work %}")
    b.table(
        [
            Col("序号", 1.0, "{{ w.no }}"),
            Col("编号", 1.2, "{{ w.id }}"),
            Col("工作内容", 4.6, "{{ w.name }}", "left"),
            Col("负责", 2.2, "{{ w.owner }}"),
            Col("完成情况", 3.6, "{{ w.progress }}"),
            Col("说明", 3.7, "{{ w.note }}", "left"),
        ],
        loop="w in work",
        size=9,
    )
    b.tag("{%p else %}")
    b.p("当日无施工任务。")
    b.tag("{%p endif %}")
    b.tag("{%p for line in extra_work %}")
    b.p("{{ loop.index }}. {{ line }}")
    b.tag("{%p endfor %}")
    b.h2("二、现场人员")
    b.tag("{%p if staff %}")
    b.table(
        [
            Col("序号", 1.2, "{{ s.no }}"),
            Col("岗位", 6.5, "{{ s.role }}", "left"),
            Col("计划人数", 2.9, "{{ s.planned }}"),
            Col("实际人数", 2.9, "{{ s.actual }}"),
            Col("偏差", 2.8, "{{ s.gap }}"),
        ],
        loop="s in staff",
        size=9,
    )
    b.tag("{%p else %}")
    b.p("当日无人员在场。")
    b.tag("{%p endif %}")
    b.h2("三、材料及设备进场")
    b.tag("{%p if arrivals %}")
    b.table(
        [
            Col("序号", 1.2, "{{ a.no }}"),
            Col("订单号", 3.0, "{{ a.number }}"),
            Col("设备或材料", 6.3, "{{ a.name }}", "left"),
            Col("数量", 2.8, "{{ a.qty }}{{ a.unit }}"),
            Col("检验不合格", 3.0, "{{ a.defects }}"),
        ],
        loop="a in arrivals",
        size=9,
    )
    b.tag("{%p else %}")
    b.p("当日无材料或设备进场。")
    b.tag("{%p endif %}")
    b.h2("四、问题与处理")
    b.tag("{%p if issues %}")
    b.tag("{%p for line in issues %}")
    b.p("{{ loop.index }}. {{ line }}")
    b.tag("{%p endfor %}")
    b.tag("{%p else %}")
    b.p("无。")
    b.tag("{%p endif %}")
    b.p("记录人：{{ day.recorded_by }}　　　　项目经理：{{ manager }}", style="BK Signature", before=18)
    return b


def supply_plan() -> Builder:
    b = Builder(title="设备供货方案", header="{{ company.name }}　设备供货方案", bid_part=False)
    b.title("设备供货方案", "{{ project.name }}")
    contract_form(b)
    b.h1("一、供货组织")
    b.lines("supply.summary")
    b.p("合同约定：合同签订后 {{ award.supply_days }} 日历天内（{{ award.supply_deadline }} 前）全部设备到货。")
    b.h1("二、设备到货计划")
    b.table(
        [
            Col("序号", 1.1, "{{ r.no }}"),
            Col("设备名称", 4.2, "{{ r.name }}", "left"),
            Col("品牌", 1.9, "{{ r.brand }}"),
            Col("型号", 3.0, "{{ r.model }}"),
            Col("数量", 1.5, "{{ r.qty }}"),
            Col("单位", 1.1, "{{ r.unit }}"),
            Col("计划到货", 3.5, "{{ r.arrival }}"),
        ],
        loop="r in schedule",
    )
    b.h1("三、到货检验")
    b.tag("{%p for m in supply.inspection %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.h1("四、运输、仓储与交接")
    b.tag("{%p for m in supply.logistics %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.p("编制：{{ company.name }}　项目经理：{{ manager }}", style="BK Signature", before=18)
    return b


def supply_report() -> Builder:
    b = Builder(title="项目设备供货报告（内部资料）",
                header="内部资料 注意保密　{{ company.name }}　项目设备供货报告", bid_part=False)
    b.title("项目设备供货报告", "（{{ report.period }}报：{{ report.period_label }}）")
    b.p("内部资料　含供应商成本，严禁外传，不得编入任何投标文件", style="BK Center", east=HEI, size=SI)
    contract_form(b)
    b.h1("一、概况")
    b.p("截至 {{ report.at }}，共 {{ report.orders }} 个采购订单，已到货 {{ report.arrived }} 个，"
        "延迟或逾期 {{ report.late_count }} 个，按时到货率 {{ report.on_time_rate }}。")
    b.form(
        [4.0, 4.15, 4.0, 4.15],
        [
            ["成本预算（内部成本表）", "¥{{ report.budget }}", "实际采购成本", "¥{{ report.cost }}"],
            ["成本偏差", "{{ report.variance }}", "偏差率", "{{ report.variance_rate }}"],
        ],
    )
    b.h1("二、按{{ report.period }}供货情况")
    b.table(
        [
            Col("期间", 6.0, "{{ r.period }}", "left"),
            Col("应到订单", 2.2, "{{ r.promised }}"),
            Col("实到订单", 2.2, "{{ r.arrived }}"),
            Col("其中延迟", 2.2, "{{ r.late }}"),
            Col("到货成本（元）", 3.7, "{{ r.cost }}", "right"),
        ],
        loop="r in rows",
    )
    b.h1("三、延迟到货")
    b.tag("{%p if late %}")
    b.table(
        [
            Col("订单号", 2.3, "{{ o.number }}"),
            Col("设备", 3.4, "{{ o.name }}", "left"),
            Col("供应商", 3.2, "{{ o.supplier }}", "left"),
            Col("承诺到货", 2.5, "{{ o.promised }}"),
            Col("实际到货", 2.5, "{{ o.arrived }}"),
            Col("延迟(天)", 1.2, "{{ o.days }}"),
            Col("原因", 1.2, "{{ o.note }}", "left"),
        ],
        loop="o in late",
        size=8,
    )
    b.tag("{%p else %}")
    b.p("无延迟到货。")
    b.tag("{%p endif %}")
    b.h1("四、供应商评价")
    b.table(
        [
            Col("序号", 1.0, "{{ s.no }}"),
            Col("供应商", 4.6, "{{ s.name }}", "left"),
            Col("订单", 1.2, "{{ s.orders }}"),
            Col("到期", 1.2, "{{ s.due }}"),
            Col("按时", 1.2, "{{ s.on_time }}"),
            Col("按时率", 1.8, "{{ s.rate }}"),
            Col("延迟天数", 1.7, "{{ s.late_days }}"),
            Col("缺陷", 1.2, "{{ s.defects }}"),
            Col("评级", 1.3, "{{ s.grade }}"),
        ],
        loop="s in suppliers",
    )
    b.p("评级：按时率不低于 95% 且无缺陷为 A，按时率不低于 80% 为 B，其余为 C；缺陷为到货检验不合格数量。",
        style="BK Note")
    b.h1("五、采购订单明细")
    b.table(
        [
            Col("订单号", 1.9, "{{ o.number }}"),
            Col("设备", 2.8, "{{ o.name }}", "left"),
            Col("数量", 1.3, "{{ o.qty }}{{ o.unit }}"),
            Col("承诺到货", 1.9, "{{ o.promised }}"),
            Col("实际到货", 1.9, "{{ o.arrived }}"),
            Col("状态", 1.4, "{{ o.state }}"),
            Col("预算（元）", 1.9, "{{ o.budget }}", "right"),
            Col("成本（元）", 1.9, "{{ o.cost }}", "right"),
            Col("付款", 1.3, "{{ o.payment }}"),
        ],
        loop="o in orders",
        size=7.5,
    )
    b.p(MANAGER_SIGN, style="BK Signature", before=18)
    return b


def request_head(b: Builder) -> None:
    b.p("致：{{ project.customer.name }}", style="BK Plain")


def bank_form(b: Builder) -> None:
    b.form(
        [3.3, 13.0],
        [
            ["收款单位", "{{ bank.account_name }}"],
            ["开户银行", "{{ bank.bank }}"],
            ["账　　号", "{{ bank.account_number }}"],
        ],
        label_cols=(0,),
    )


def payment_request() -> Builder:
    b = Builder(title="回款申请", header="{{ company.name }}　回款申请", bid_part=False)
    b.title("回款申请", "（{{ request.instalment }}）")
    b.p("编号：{{ request.number }}", style="BK Right", size=WU)
    request_head(b)
    b.p("我公司承建的{{ project.name }}（合同编号：{{ award.contract_number }}）{{ request.basis }}。"
        "根据合同付款条款“{{ request.milestone }}”，特申请支付{{ request.instalment }}，请予审核办理。")
    b.form(
        [3.6, 12.7],
        [
            ["合同金额", "¥{{ award.contract_amount }} 元（人民币{{ award.contract_amount_upper }}）"],
            ["付款依据", "{{ request.milestone }}"],
            ["本期申请金额", "¥{{ request.amount }} 元（人民币{{ request.amount_upper }}），"
             "占合同金额 {{ request.share }}"],
            ["此前已收款", "¥{{ request.received_before }} 元（{{ request.received_count }} 笔）"],
            ["已申请未到账", "¥{{ request.outstanding }} 元"],
            ["本期后尚余", "¥{{ request.remaining }} 元（人民币{{ request.remaining_upper }}）"],
        ],
        label_cols=(0,),
    )
    b.h2("合同付款计划")
    b.table(
        [
            Col("序号", 1.1, "{{ i.no }}"),
            Col("款项", 2.4, "{{ i.name }}"),
            Col("比例", 1.7, "{{ i.percent }}"),
            Col("支付条件", 3.4, "{{ i.condition }}"),
            Col("金额（元）", 3.4, "{{ i.amount }}", "right"),
            Col("状态", 4.3, "{{ i.state }}"),
        ],
        loop="i in plan",
        size=9,
    )
    b.gap(6)
    bank_form(b)
    b.p("附件：{{ request.attachments }}", style="BK Plain", before=6)
    b.p("申请单位：{{ company.name }}（盖章）", style="BK Signature", before=24)
    b.p("项目经理：{{ manager }}", style="BK Signature")
    b.p("日期：{{ request.date }}", style="BK Signature")
    return b


def bond_refund_request() -> Builder:
    b = Builder(title="履约保证金退回申请", header="{{ company.name }}　履约保证金退回申请", bid_part=False)
    b.title("履约保证金退回申请")
    b.p("编号：{{ refund.number }}", style="BK Right", size=WU)
    request_head(b)
    b.p("我公司承建的{{ project.name }}（合同编号：{{ award.contract_number }}）于 {{ refund.warranty_start }} "
        "通过正式验收（验收单编号：{{ refund.formal_id }}），质保期 {{ award.warranty_years }} 年已于 "
        "{{ refund.warranty_end }} 届满，质保期内我公司已按合同履行全部义务。根据合同约定，"
        "特申请退还履约保证金，请予审核办理。")
    b.form(
        [3.3, 13.0],
        [
            ["履约保证金", "¥{{ award.bond.amount }} 元（人民币{{ award.bond.amount_upper }}）"],
            ["缴纳日期", "{{ award.bond.paid }}"],
            ["质保期", "{{ refund.warranty_start }} 至 {{ refund.warranty_end }}"],
        ],
        label_cols=(0,),
    )
    b.gap(6)
    bank_form(b)
    b.p("附件：履约保证金缴纳凭证、正式验收单复印件", style="BK Plain", before=6)
    b.p("申请单位：{{ company.name }}（盖章）", style="BK Signature", before=24)
    b.p("经办人（销售代表）：{{ applicant }}", style="BK Signature")
    b.p("日期：{{ refund.date }}", style="BK Signature")
    return b


def bid_bond_refund_request() -> Builder:
    b = Builder(title="投标保证金退回申请", header="{{ company.name }}　投标保证金退回申请", bid_part=False)
    b.title("投标保证金退回申请")
    b.p("致：{{ bond.to }}", style="BK Plain")
    b.p("我公司参加了{{ tender.project_name }}（招标编号：{{ tender.number }}）的投标，"
        "于 {{ bond.paid }} 缴纳投标保证金。{{ bond.reason }}。根据招标文件及《中华人民共和国政府采购法实施条例》"
        "的规定，特申请退还投标保证金，请予办理。")
    b.form(
        [3.6, 12.7],
        [
            ["投标保证金", "¥{{ bond.amount }} 元（人民币{{ bond.amount_upper }}）"],
            ["缴纳日期", "{{ bond.paid }}"],
            ["付款账户", "{{ bond.payer_account }}"],
            ["转账流水号", "{{ bond.reference }}"],
            ["报名编号", "{{ registration.number }}（{{ registration.date }}）"],
        ],
        label_cols=(0,),
    )
    b.p("请将投标保证金退回以下账户（原缴纳账户）：", style="BK Plain", before=6)
    bank_form(b)
    b.p("附件：投标保证金缴纳凭证（银行回单）", style="BK Plain", before=6)
    b.p("申请单位：{{ company.name }}（盖章）", style="BK Signature", before=24)
    b.p("经办人（销售代表）：{{ applicant }}", style="BK Signature")
    b.p("日期：{{ bond.date }}", style="BK Signature")
    return b


def performance_bond_letter() -> Builder:
    b = Builder(title="履约保证金缴纳函", header="{{ company.name }}　履约保证金缴纳函", bid_part=False)
    b.title("履约保证金缴纳函")
    request_head(b)
    b.p("我公司于 {{ award.notice_date }} 收到{{ project.name }}的中标通知书（编号：{{ award.notice_number }}）。"
        "根据招标文件及中标通知书的要求，我公司以{{ letter.form }}方式向贵单位提交履约保证金，"
        "金额为合同金额的 {{ letter.share }}，保证按合同约定全面履行合同义务。")
    b.form(
        [3.6, 12.7],
        [
            ["合同编号", "{{ award.contract_number }}（{{ award.contract_date }} 签订）"],
            ["合同金额", "¥{{ award.contract_amount }} 元（人民币{{ award.contract_amount_upper }}）"],
            ["履约保证金", "¥{{ award.bond.amount }} 元（人民币{{ award.bond.amount_upper }}）"],
            ["提交方式", "{{ letter.form }}"],
            ["凭证编号", "{{ letter.reference }}"],
        ],
        label_cols=(0,),
    )
    b.tag("{%p if letter.guarantee %}")
    b.p("保函开立银行：{{ letter.issuer }}；保函有效期至 {{ letter.valid_until }}。", style="BK Plain", before=6)
    b.tag("{%p endif %}")
    b.p("履约保证金在质保期（{{ award.warranty_years }} 年，自正式验收合格之日起）届满、我公司履行全部合同义务后"
        "无息退还至以下账户：", style="BK Plain", before=6)
    bank_form(b)
    b.p("附件：履约保证金缴纳凭证", style="BK Plain", before=6)
    b.p("单位名称：{{ company.name }}（盖章）", style="BK Signature", before=24)
    b.p("法定代表人或授权代表：（签字或盖章）", style="BK Signature")
    b.p("日期：{{ letter.date }}", style="BK Signature")
    return b


def project_summary() -> Builder:
    b = Builder(title="项目总结", header="{{ company.name }}　项目总结", bid_part=False)
    b.title("项目总结", "{{ project.name }}")
    contract_form(b)
    b.p("统计截至 {{ summary.at }}。", style="BK Note")
    b.h1("一、各阶段计划与实际")
    b.table(
        [
            Col("序号", 1.0, "{{ s.no }}"),
            Col("阶段", 3.3, "{{ s.name }}", "left"),
            Col("计划开始", 2.3, "{{ s.planned_start }}"),
            Col("计划完成", 2.3, "{{ s.planned_end }}"),
            Col("实际开始", 2.3, "{{ s.actual_start }}"),
            Col("实际完成", 2.3, "{{ s.actual_end }}"),
            Col("偏差(天)", 2.8, "{{ s.deviation }}"),
        ],
        loop="s in stages",
        size=8,
    )
    b.h1("二、审核、验收轮次与整改")
    b.p("质量管理部审核（技术标、商务标）：提交 {{ figures.review_requests }} 次，驳回 {{ figures.review_rejections }} "
        "次，通过 {{ figures.review_approvals }} 次。")
    b.p("内部验收共 {{ figures.internal_rounds }} 轮，首次内部验收是否通过：{{ figures.first_pass }}。")
    b.table(
        [
            Col("序号", 1.0, "{{ r.no }}"),
            Col("验收单编号", 3.4, "{{ r.id }}"),
            Col("类型", 2.2, "{{ r.kind }}"),
            Col("日期", 3.0, "{{ r.date }}"),
            Col("结果", 1.8, "{{ r.result }}"),
            Col("整改意见书", 3.4, "{{ r.notice }}"),
            Col("整改项", 1.5, "{{ r.items }}"),
        ],
        loop="r in rounds",
    )
    b.tag("{%p if rectifications %}")
    b.h2("整改项完成情况")
    b.table(
        [
            Col("意见书", 2.6, "{{ it.notice }}"),
            Col("问题", 5.0, "{{ it.problem }}", "left"),
            Col("责任人", 1.6, "{{ it.responsible }}"),
            Col("期限", 2.6, "{{ it.deadline }}"),
            Col("完成", 2.6, "{{ it.done }}"),
            Col("按期", 1.9, "{{ it.on_time }}"),
        ],
        loop="it in rectifications",
        size=8,
    )
    b.tag("{%p endif %}")
    b.h1("三、按期率（考核依据）")
    table = b.table(
        [
            Col("指标", 6.3, "{{ r.name }}", "left"),
            Col("按期", 3.0, "{{ r.on_time }}"),
            Col("总数", 3.0, "{{ r.total }}"),
            Col("按期率", 4.0, "{{ r.rate }}"),
        ],
        loop="r in rates",
    )
    b.add_row(table, ["以上数据由 bidkit 根据工作区记录计算，供质量管理部考核评分参考。"], spans=[4],
              fills=[LABEL_FILL], aligns=["left"])
    assessment(b, "四、考评")
    b.p("项目经理：{{ manager }}", style="BK Signature", before=18)
    return b


def cost_analysis() -> Builder:
    b = Builder(title="成本与报价分析（内部资料）",
                header="内部资料 注意保密　仅供销售代表及总经理　{{ company.name }}　成本与报价分析", bid_part=False)
    b.title("成本与报价分析", "{{ project.name }}")
    b.p("内部资料　含内部成本与毛利{% if analysis.prices %}及投标报价{% endif %}，严禁外传，不得编入任何投标文件",
        style="BK Center", east=HEI, size=SI)
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["项目名称", ("{{ project.name }}", 3)],
            ["项目编号", "{{ project.code }}", "招标编号", "{{ tender.number }}"],
            ["客户", "{{ project.customer.name }}", "销售代表", "{{ sales_rep }}"],
            ["目标毛利率", "{{ analysis.target }}", "计价口径", "{{ analysis.basis }}（报价与供应商报价同一口径）"],
        ],
    )
    b.tag("{%p if not analysis.prices %}")
    b.p("本分析不含投标报价：报价锁未打开或未提供价格口令，因此只列成本、标底、客户预算与最高限价。",
        style="BK Note")
    b.tag("{%p endif %}")
    b.h1("一、结论与提示")
    b.tag("{%p if analysis.prices %}")
    b.p("投标总价 ¥{{ margin.bid_total }} 元（人民币{{ margin.bid_total_upper }}），成本合计 ¥{{ cost.total }} 元，"
        "毛利 ¥{{ margin.margin }} 元，毛利率 {{ margin.rate }}，"
        "目标毛利率 {{ analysis.target }}：{{ margin.verdict }}。")
    b.tag("{%p else %}")
    b.p("成本合计 ¥{{ cost.total }} 元（人民币{{ cost.total_upper }}）；标底及对照见第四部分。")
    b.tag("{%p endif %}")
    b.tag("{%p if findings %}")
    b.table(
        [
            Col("序号", 1.0, "{{ f.no }}"),
            Col("级别", 1.4, "{{ f.severity }}"),
            Col("提示", 13.9, "{{ f.message }}", "left"),
        ],
        loop="f in findings",
        size=9,
    )
    b.tag("{%p else %}")
    b.p("无。")
    b.tag("{%p endif %}")
    b.h1("二、成本构成")
    b.table(
        [
            Col("类别", 4.3, "{{ c.name }}"),
            Col("金额（元）", 6.0, "{{ c.amount }}", "right"),
            Col("占成本", 6.0, "{{ c.share }}"),
        ],
        loop="c in categories",
    )
    b.form(
        [4.3, 3.85, 4.3, 3.85],
        [
            ["设备清单行成本", "{{ cost.lines }}", "自有人工", "{{ cost.labour }}"],
            ["其他费用", "{{ cost.others }}", "直接成本", "{{ cost.direct }}"],
            ["管理费（{{ cost.overhead_rate }}）", "{{ cost.overhead }}", "成本合计", "{{ cost.total }}"],
        ],
    )
    b.tag("{%p for o in cost.other_items %}")
    b.p("其他费用：{{ o.name }}（{{ o.category }}）¥{{ o.amount }} 元", style="BK Note")
    b.tag("{%p endfor %}")
    b.h1("三、逐项成本{% if analysis.prices %}、报价与毛利{% endif %}")
    b.tag("{%p if analysis.prices %}")
    b.table(
        [
            Col("编号", 1.0, "{{ l.id }}"),
            Col("名称", 3.3, "{{ l.name }}", "left"),
            Col("数量", 1.4, "{{ l.qty }}{{ l.unit }}"),
            Col("成本（元）", 2.2, "{{ l.cost }}", "right"),
            Col("单价（元）", 1.9, "{{ l.unit_price }}", "right"),
            Col("报价（元）", 2.2, "{{ l.price }}", "right"),
            Col("毛利（元）", 2.0, "{{ l.margin }}", "right"),
            Col("毛利率", 1.3, "{{ l.margin_rate }}"),
            Col("", 1.0, "{{ l.flag }}"),
        ],
        loop="l in lines",
        size=7.5,
    )
    b.tag("{%p else %}")
    b.table(
        [
            Col("编号", 1.0, "{{ l.id }}"),
            Col("名称", 4.0, "{{ l.name }}", "left"),
            Col("数量", 1.7, "{{ l.qty }}{{ l.unit }}"),
            Col("类别", 1.2, "{{ l.category }}"),
            Col("选定供应商", 3.6, "{{ l.supplier }}", "left"),
            Col("单位成本（元）", 2.2, "{{ l.unit_cost }}", "right"),
            Col("成本（元）", 2.6, "{{ l.cost }}", "right"),
        ],
        loop="l in lines",
        size=7.5,
    )
    b.tag("{%p endif %}")
    b.h1("四、标底与客户预算、最高限价对照")
    b.table(
        [
            Col("项目", 5.2, "{{ r.name }}", "left"),
            Col("金额（元）", 3.4, "{{ r.amount }}", "right"),
            Col("毛利率", 2.0, "{{ r.rate }}"),
            Col("说明", 5.7, "{{ r.note }}", "left"),
        ],
        loop="r in baseline",
        size=9,
    )
    b.p("毛利 = 报价 − 成本；毛利率 = 毛利 ÷ 报价。标底为按目标毛利率测算的报价，与客户确认的方案一致。",
        style="BK Note")
    b.h1("五、供应商比价")
    b.p("共 {{ analysis.lines }} 个清单行，其中 {{ analysis.costed }} 行单独核算，收到报价 {{ analysis.quotes }} 份；"
        "每行报价由低到高排列。", style="BK Note")
    b.table(
        [
            Col("编号", 1.0, "{{ q.id }}"),
            Col("名称", 2.9, "{{ q.name }}", "left"),
            Col("数量", 1.5, "{{ q.qty }}"),
            Col("供应商", 3.4, "{{ q.supplier }}", "left"),
            Col("单价（元）", 1.8, "{{ q.unit_cost }}", "right"),
            Col("合价（元）", 2.0, "{{ q.total }}", "right"),
            Col("报价日期", 1.5, "{{ q.quoted }}"),
            Col("有效期至", 1.5, "{{ q.valid_until }}"),
            Col("", 0.7, "{{ q.chosen }}"),
        ],
        loop="q in quotes",
        size=7,
    )
    b.tag("{%p for r in reasons %}")
    b.p("{{ r.id }} {{ r.name }}选定理由：{{ r.reason }}", style="BK Note")
    b.tag("{%p endfor %}")
    b.h1("六、客户反馈与方案修订")
    b.tag("{%p if feedback %}")
    b.table(
        [
            Col("轮次", 1.1, "{{ f.no }}"),
            Col("日期", 2.5, "{{ f.date }}"),
            Col("来源", 3.0, "{{ f.source }}", "left"),
            Col("修订内容", 6.7, "{{ f.changes }}", "left"),
            Col("成本影响（元）", 3.0, "{{ f.cost_change }}", "right"),
        ],
        loop="f in feedback",
        size=9,
    )
    b.tag("{%p for f in feedback %}")
    b.tag("{%p if f.note %}")
    b.p("第 {{ f.no }} 轮：{{ f.note }}", style="BK Note")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p else %}")
    b.p("无客户反馈记录。")
    b.tag("{%p endif %}")
    b.p("编制：销售代表 {{ sales_rep }}　　　　审批：总经理", style="BK Signature", before=18)
    return b


BUILDERS = {
    "construction_plan": construction_plan,
    "construction_report": construction_report,
    "construction_log": construction_log,
    "supply_plan": supply_plan,
    "supply_report": supply_report,
    "payment_request": payment_request,
    "bond_refund_request": bond_refund_request,
    "bid_bond_refund_request": bid_bond_refund_request,
    "performance_bond_letter": performance_bond_letter,
    "project_summary": project_summary,
    "cost_analysis": cost_analysis,
}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    for name, build in BUILDERS.items():
        path = out / f"{name}.docx"
        build().save(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
