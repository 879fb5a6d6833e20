"""Fixed vocabularies of the domain (roles, staffing types, unit classes, duty classes, work
categories, day states). Stored in the database as these Chinese words."""

ROLE_STAFF = "科室人员"
ROLE_SECTION_HEAD = "科室负责人"
ROLE_DEPUTY = "分管领导"
ROLE_PRINCIPAL = "主要领导"
ROLES = (ROLE_STAFF, ROLE_SECTION_HEAD, ROLE_DEPUTY, ROLE_PRINCIPAL)

STAFFING_TYPES = ("行政编制", "事业编制", "工勤编制", "政法专项编制", "编外")
# 在编 (a type the unit has a quota of), 编外, 未填写: how workload and headcount are split
IN_QUOTA, EXTRA, UNTYPED = "在编", "编外", "未填写"
QUOTA_STAFFING_TYPES = STAFFING_TYPES[:-1]


def staffing_class(staffing_type: str | None) -> str:
    """在编 / 编外 / 未填写 for a person's 编制类型."""
    if staffing_type in QUOTA_STAFFING_TYPES:
        return IN_QUOTA
    return EXTRA if staffing_type == EXTRA else UNTYPED


PERSON_STATUSES = ("在职", "借调", "离岗", "离退")
GENDERS = ("男", "女")
EDUCATIONS = ("研究生", "大学本科", "大学专科", "中专", "高中及以下")

DUTY_CORE, DUTY_GENERAL, DUTY_AUX = "核心", "一般", "辅助"
DUTY_CLASSES = (DUTY_CORE, DUTY_GENERAL, DUTY_AUX)

UNIT_CLASSES = ("党委部门", "政府部门", "人大政协机关", "群团机关", "直属事业单位",
                "公益一类事业单位", "公益二类事业单位", "其他")
FUNDING_FORMS = ("全额拨款", "差额拨款", "自收自支")
LEADER_POST_KINDS = ("正职", "副职")

# The 9 common work categories, with standard hours per entry used by assisted review.
COMMON_CATEGORIES = (
    ("业务工作", 4.0), ("检查调研", 4.0), ("学习教育", 2.0), ("会议活动", 2.0),
    ("督办事项", 3.0), ("审批服务", 3.0), ("党建工作", 2.0), ("信访接待", 2.0),
    ("综合事务", 2.0),
)

DAY_NORMAL = "正常"
DAY_LEAVE = "请假"
DAY_TRIP = "出差"
DAY_OFF = "公休"
DAY_STATES = (DAY_NORMAL, DAY_LEAVE, DAY_TRIP, DAY_OFF)
# Leave and 公休 are absences: they remove the day from expected hours. A business trip is work
# done elsewhere: the day keeps its expected hours and the trip's logged hours count against them
# (taking it out while counting its hours inflated saturation).
DAY_STATES_WITHOUT_EXPECTED_HOURS = (DAY_LEAVE, DAY_OFF)

LOG_DRAFT = "draft"
LOG_SUBMITTED = "submitted"
LOG_RETURNED = "returned"
LOG_APPROVED = "approved"
# Derived at both ends when a log's signatures do not verify (app.services.signing.verify).
LOG_INVALID = "invalid"
LOG_STATE_LABELS = {LOG_DRAFT: "草稿", LOG_SUBMITTED: "已提交", LOG_RETURNED: "已退回",
                    LOG_APPROVED: "已审定", LOG_INVALID: "签名无效"}

SECRET_CONTENT_LABEL = "涉密工作"
STANDARD_DAILY_HOURS = 8.0
