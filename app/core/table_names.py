"""The synced tables as people know them: what import previews, counts and messages call them
instead of the database name ("rectification" → 整改情况)."""
from __future__ import annotations

TABLE_NAMES = {
    "unit": "单位信息", "staffing_quota": "编制与领导职数", "section": "内设机构", "person": "人员",
    "post_record": "任职记录", "credential": "登录账号", "person_key": "人员签名密钥",
    "duty": "三定职责", "duty_section": "职责承担科室", "post_duty": "岗位职责", "work_category": "工作类别",
    "holiday": "节假日安排", "setting": "单位设置", "log_template": "日志模板",
    "work_log": "工作日志", "log_entry": "日志条目", "entry_text": "条目内容", "attachment": "附件",
    "review_action": "审阅记录", "log_version": "日志修改版本", "signed_statement": "签名声明",
    "section_charge": "分管关系", "delegation": "代审安排",
    "indicator_template": "评估指标体系", "indicator_item": "评估指标", "eval_round": "评估批次",
    "round_unit": "评估任务（定单）", "self_score": "单位自评", "round_submission": "自评提交",
    "bureau_score": "编办评分", "problem": "评估发现的问题", "rectification": "整改情况",
    "work_item": "工作事项", "work_item_duty": "工作事项关联职责", "work_item_done": "工作事项办结",
    "work_item_count": "审批事项办理量", "monthly_feedback": "月度履职监测反馈",
    "score_adjustment": "加分扣分", "unit_decision": "编办决定记录",
}


def table_name(table: str) -> str:
    """The Chinese name of a synced table (the database name only for one this list lacks)."""
    return TABLE_NAMES.get(table, table)
