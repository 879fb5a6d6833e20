"""What a kind of demo unit is made of (`Kind`), and the text banks the kinds other than the
市场监督管理局 share: category and leader sentences, trips, tails, the unit-internal duties
(文电、财务、人事、机关党建、综合) and their topics. They are written with slots every kind fills
(`KIND_SLOTS`): the unit's decision meeting, its superior office, its grassroots places …

A kind's text bank is a `Phrases`; app.demo.text.compose reads it as it reads app.demo.phrases
(the 市场监督管理局's bank, which keeps its own sentences).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from app.demo import phrases as market_phrases
from app.demo.text import Pick, Template, Topic, _one_of, t

# ---------------------------------------------------------------- a kind of unit


@dataclass(frozen=True)
class Stations:
    """Grassroots sections a kind adds when the unit is scaled up (the 市场监督管理所)."""
    summary: str
    duties: tuple                          # duty codes every station carries
    topic: str
    name: Callable[[int], str]
    head: str = "所长"
    deputy_head: str = "副所长"
    min_extra: int = 15                    # staff above the sections' base sizes before stations


@dataclass(frozen=True)
class Kind:
    """One kind of unit: its 内设机构, 三定 duties, leaders and 分管 lines, staffing and the
    text bank its logs are written from."""
    key: str
    unit_name: str                         # the single demo unit of this kind (without 编办)
    unit_class: str
    sections: tuple                        # (key, name, 科室职责概述, size in a 60-person unit, topic)
    duties: tuple                          # (code, 核心/一般/辅助, section keys, topic, content)
    principal_post: str
    principal_duties: tuple                # duty codes
    deputies: tuple                        # (post, section keys in charge)
    phrases: object                        # TOPICS, CATEGORY_TEXT, LEADER_TEXT, TAILS, TRIPS …
    party_duty: str                        # 机关党建: 党建工作 entries link here
    affairs_duty: str                      # 综合事务 entries link here
    staffing: tuple                        # (编制类型, share of people, at least, section keys)
    staff_posts: dict                      # 编制类型 → {section key or "": posts}
    main_staffing: str = "行政编制"         # leaders, heads and the rest of the staff
    head_posts: dict = field(default_factory=dict)          # section key → post, else default
    deputy_head_posts: dict = field(default_factory=dict)
    default_head: str = "科长"
    default_deputy_head: str = "副科长"
    field_topics: tuple = ()               # topics of field work: more trips and weekend work
    section_bonus: dict = field(default_factory=dict)       # section key → {category: weight}
    category_scale: dict = field(default_factory=dict)      # category → factor on its weight
    stations: Stations | None = None

    @property
    def section_names(self) -> tuple[str, ...]:
        return tuple(s[1] for s in self.sections)


@dataclass
class Phrases:
    """A kind's text bank, read by app.demo.text.compose and app.demo.logs."""
    TOPICS: dict
    CATEGORY_TEXT: dict
    LEADER_TEXT: dict
    TAILS: dict
    TRIPS: tuple
    TRIP_BACK: tuple
    EVENING_TEXT: tuple
    VAGUE_TEXT: dict
    APPROVAL_TOPICS: tuple = ()            # topics whose 审批服务 entries use the topic's sentences


def topics(slots: dict, specs: dict) -> dict[str, Topic]:
    """key → Topic(name, affairs, laws, work, check, tails) of one kind, each with its slots."""
    out = {}
    for key, (name, affairs, laws, work, *rest) in specs.items():
        check = rest[0] if rest else ()
        tails = rest[1] if len(rest) > 1 else ()
        out[key] = Topic(name, affairs, laws, t(*work), t(*check), t(*tails), slots=slots)
    return out


def phrases(slots: dict, own: dict, **overrides) -> Phrases:
    """A kind's Phrases: its own topics with the internal ones, and the shared banks."""
    internal = internal_topics(slots)
    assert not set(internal) & set(own), set(internal) & set(own)
    bank = dict(TOPICS=dict(internal, **topics(slots, own)),
                CATEGORY_TEXT=CATEGORY_TEXT, LEADER_TEXT=LEADER_TEXT, TAILS=TAILS, TRIPS=TRIPS,
                TRIP_BACK=TRIP_BACK, EVENING_TEXT=EVENING_TEXT, VAGUE_TEXT=VAGUE_TEXT)
    bank.update(overrides)
    return Phrases(**bank)


def one_of(words: str):
    return _one_of(words)


# Slots each kind fills (app.demo.kinds tests that every template's slots are there).
KIND_SLOTS = ("lead", "meeting", "group", "superior", "province", "county", "county_meeting", "base",
              "partners", "anysec", "office", "lead_work", "evening", "peer", "visit", "theory")

# County departments a unit works with (for the kinds' own sentences).
DEPARTMENTS = ("县发展和改革局 县教育和体育局 县财政局 县人力资源和社会保障局 县民政局 县卫生健康局 "
               "县农业农村局 县住房和城乡建设局 县交通运输局 县自然资源和规划局 县市场监督管理局 "
               "县水利局 县商务局 县文化和旅游局 县应急管理局 县工业和信息化局 县司法局 县审计局")
THEORY = ("习近平新时代中国特色社会主义思想 党的二十届四中全会精神 中央八项规定及其实施细则精神 "
          "《中国共产党纪律处分条例》 省委全会精神 习近平总书记视察山东重要讲话精神 "
          "《习近平谈治国理政》第五卷 全国两会精神 习近平总书记关于安全生产的重要指示精神")

# ---------------------------------------------------------------- internal duties and topics
# (class, topic, content): every kind adds these with its own prefix, carried by its office. Worded
# as the 市场监督管理局's (app.demo.data SD-36…40): the same in every unit, what the 编办's overlap
# analysis lists once as 共性职责, not as 交叉.
INTERNAL_DUTIES = (
    ("辅助", "office", "负责机关文电、会务、督办、信息、档案、保密、机要等日常运转工作"),
    ("辅助", "finance", "负责机关财务、国有资产管理和内部审计工作"),
    ("辅助", "hr", "负责机关人事、机构编制、教育培训和干部队伍建设工作"),
    ("辅助", "party", "负责机关党建、党风廉政建设和精神文明建设工作"),
    ("辅助", "generic", "负责统计、信访、安全生产和应急管理等综合工作，完成县委县政府交办的其他任务"),
)


def internal_duties(prefix: str, first: int, office: str = "off",
                    wording: dict | None = None) -> tuple:
    """The internal duties numbered from `first` (PREFIX-NN), carried by the office section;
    `wording`: topic → the kind's own text of one of them."""
    return tuple((f"{prefix}-{first + i:02d}", cls, (office,), topic, (wording or {}).get(topic, text))
                 for i, (cls, topic, text) in enumerate(INTERNAL_DUTIES))


def internal_topics(slots: dict) -> dict[str, Topic]:
    return topics(slots, {
        "office": ("机关综合", "文电运转 重点工作督办 政务信息报送 政务公开 保密管理 档案管理 会务保障 宣传报道",
                   "《党政机关公文处理工作条例》 《保密法》 《档案法》", (
            "办理[市级|县委|县政府|县委办|县政府办]来文{n}件，拟办意见后呈{lead}批示",
            "起草[{meeting}纪要|月度工作总结|年度工作计划|领导讲话稿|工作汇报材料]，修改完善{m}稿",
            "撰写工作信息{m}篇，[被县委县政府采用1篇|报送{superior}]",
            "筹备[{meeting}|全体干部职工大会|理论学习中心组学习会]，准备会议材料并做好会务保障",
            "整理重点工作督办台账，催报{anysec}等科室进展情况{n}项",
            "做好机要文件收发登记，清点涉密载体{n}件",
            "整理[文书档案|会计档案|人事档案]{k}卷，完成归档",
            "更新门户网站和政务新媒体信息{n}条",
            "撰写{anysec}工作宣传稿件，[在县融媒体中心刊发|报送{superior}]",
            "校核{anysec}报送的材料，退回修改{m}处后呈{lead}签发",
            "汇总各科室{month}重点工作完成情况，形成汇报材料"), (
            "检查{anysec}[档案管理|保密管理|文电办理]情况，[抽查案卷{n}卷|发现问题{m}处]",
            "对{anysec}督办事项落实情况开展督查，核对进展{n}项"), (
            "已呈{lead}审阅", "已按要求报送", "资料已归档", "完成情况已登记台账")),
        "finance": ("财务管理", "预算执行 国有资产管理 内部审计 政府采购 财务报销", "《预算法》 《会计法》 《政府采购法》", (
            "审核报销单据{k}张，编制记账凭证",
            "编制[月度财务报表|部门预算|决算报表|政府采购计划]",
            "盘点{anysec}固定资产{k}件，更新资产台账",
            "办理政府采购合同备案{m}件",
            "核对{month}预算执行进度，提醒科室加快支出",
            "办理[办公设备|信息化设备|办公用品]采购支付手续，核对合同和发票"), (
            "到{anysec}盘点固定资产{k}件，核对资产卡片",
            "对{anysec}经费支出开展内部审计抽查，抽查凭证{n}张")),
        "hr": ("人事教育", "干部教育培训 年度考核 人事档案管理 干部队伍建设", "《公务员法》 《干部人事档案工作条例》", (
            "办理干部职工[工资调整|社保缴纳|公积金变更|职称申报]手续{n}人",
            "统计{month}干部教育培训学时，整理培训档案",
            "更新实名制管理系统人员信息{m}条",
            "组织干部职工[年度考核|平时考核|季度考核]材料汇总",
            "整理干部人事档案{k}卷，补充[学历证明|考核材料|任免材料]",
            "办理[退休|调动|借调]人员手续{m}人"), (
            "到{anysec}了解干部职工思想动态，谈心谈话{m}人",)),
        "party": ("机关党建", "党风廉政建设 模范机关创建 党支部标准化建设 党员教育管理 作风建设",
                  "《中国共产党章程》 《中国共产党纪律处分条例》 《中国共产党支部工作条例（试行）》", (
            "整理“三会一课”会议记录，更新{month}党建工作台账",
            "筹备主题党日活动，组织党员{k}人参加",
            "收缴{month}党费并登记台账",
            "起草[党风廉政建设责任书|廉政提醒函|党支部工作计划|党建工作总结]",
            "组织{anysec}党员观看警示教育片，[开展讨论|撰写观后感]",
            "更新党员信息管理系统数据{m}条"), (
            "到{base}开展党建共建活动，交流[支部建设|主题党日]做法",
            "检查{anysec}党员“三会一课”记录，提出规范意见{m}条")),
        "generic": ("安全生产", "安全生产 信访稳定 统计报表 文明城市创建 防汛抗旱 应急管理",
                    "《安全生产法》 《信访工作条例》 《统计法》", (
            "报送[月度|季度]统计报表，核对数据{n}项",
            "开展办公场所安全检查，排查消防隐患{m}处",
            "完成县委县政府交办的[创城|防汛值班|乡村振兴|安全生产大检查]任务",
            "起草{affair}[工作方案|应急预案|总结报告]",
            "汇总各科室{affair}工作情况，报送县[应急局|信访局|统计局|文明办]"), (
            "到{town}包保村开展[安全生产|防汛|森林防火]检查",)),
    })


# ---------------------------------------------------------------- shared category sentences
CATEGORY_TEXT = {
    "学习教育": t(
        "参加{group}（扩大）学习，学习{theory}",
        "参加党支部集中学习，学习{theory}，撰写心得体会",
        "自学{law}[相关条款|修订内容|释义]，做学习笔记",
        "参加{superior}组织的{affair}业务培训（视频），学习典型案例{m}个",
        "参加“学习强国”专题学习，完成{tname}相关课程{m}门",
        "参加县委组织部网络学院在线学习，完成专题课程{m}门",
        "学习{affair}政策文件汇编，结合本岗位梳理重点任务{m}项",
        "参加{superior}举办的{affair}专题讲座（视频）",
        "参加科室业务学习，交流{law}执行中的问题{m}个"),
    "会议活动": t(
        "参加科室[周例会|工作例会]，汇报{affair}进展，领取下步任务{m}项",
        "参加全体干部职工大会，[传达学习{theory}|听取{affair}工作部署]",
        "参加{affair}工作推进会，[整理会议记录|汇报本科室工作情况|领取任务分工]",
        "参加{county}组织的{affair}专题会议，会后形成贯彻落实意见",
        "参加{superior}{affair}视频会议，做好记录并向科室传达",
        "参加{affair}联席会议，与{partners}沟通[信息共享|工作衔接|联合督导]事宜",
        "列席{meeting}，汇报{affair}有关情况",
        "参加全县[安全生产|优化营商环境|创城|信访稳定]工作会议，做好会议记录"),
    "督办事项": t(
        "办理县委县政府督查室转办的{affair}督办事项，按时报送办理结果",
        "落实{lead}交办的{affair}事项，[起草书面报告|形成情况说明]",
        "跟踪{affair}问题整改进展，更新督办台账{n}项",
        "办理县人大代表建议1件，涉及{affair}，与代表沟通答复意见",
        "办理县政协委员提案，涉及{affair}，起草答复意见",
        "报送{affair}[周|月|季度]进展情况，核对数据{n}项",
        "按县委督查室要求，梳理{affair}落实情况并报送"),
    "党建工作": market_phrases.CATEGORY_TEXT["党建工作"],
    "信访接待": t(
        "接待来访群众{m}人次，反映{tname}方面的问题，[现场解答|登记后转科室办理]",
        "办理{tname}方面的信访件{m}件，[按时答复信访人|形成答复意见报{lead}]",
        "处理12345热线转办工单{n}件，联系诉求人核实情况",
        "电话回访信访人{m}人，告知处理结果"),
    "综合事务": t(
        "参加县创城[志愿服务|网格包保]工作，清理{street}沿街[小广告|乱摆乱放]",
        "安排[周末|节假日]值班，更新值班表",
        "参加防汛值班，巡查{town}河道堤防",
        "整理本科室[月度工作总结|下月工作计划|半年考核材料]",
        "到{town}开展乡村振兴包村帮扶，走访农户{n}户",
        "报送本科室[统计报表|考勤表|车辆使用登记|办公用品需求]",
        "参加单位组织的[消防演练|应急疏散演练|无偿献血|义务植树]活动",
        "完成{office}交办的[材料汇总|接待保障|数据统计]任务",
        "维护{affair}工作台账，更新数据{n}条",
        "协助{office}做好{affair}资料[收集|整理|报送]"),
    "检查调研": t(
        "到{town}调研{affair}开展情况，走访{visit}",
        "随{lead}到{town}检查{affair}工作，做好记录",
        "到{base}调研{affair}工作，座谈了解基层意见"),
    "审批服务": t(
        "接待办事群众{n}人次，解答{tname}相关咨询",
        "办理{tname}相关服务事项{m}件，均在承诺时限内办结",
        "为{base}提供{tname}相关上门服务，办理事项{m}件"),
}
TAILS = {
    "业务工作": t("相关情况已向科室负责人汇报", "材料已整理归档", "明天继续跟进", "已录入业务系统",
                "存在问题已列出清单", "结果已报{lead}", "已在工作台账登记", "待科室负责人审核后上报",
                "有关数据已报送{superior}"),
    "检查调研": t("做好记录并拍照留存", "督促限期整改到位", "相关情况已向科室负责人汇报",
                "将适时开展“回头看”", "形成调研记录{m}份"),
    "审批服务": t("均在承诺时限内办结", "办理结果已告知当事人", "资料已归档"),
    "学习教育": market_phrases.TAILS["学习教育"],
    "会议活动": market_phrases.TAILS["会议活动"],
    "督办事项": t("办理情况已报{lead}", "已更新督办台账"),
    "党建工作": market_phrases.TAILS["党建工作"],
    "信访接待": market_phrases.TAILS["信访接待"],
    "综合事务": t("已按要求完成", "情况已报{office}"),
}
LEADER_TEXT = {
    "会议活动": t(
        "主持召开{meeting}，研究{affair}等{m}项议题",
        "主持召开{affair}专题会议，部署下一阶段重点任务",
        "参加{superior}{affair}视频会议，会后安排贯彻落实",
        "参加{county}召开的{county_meeting}，汇报{affair}有关情况",
        "主持召开{sec}工作调度会，听取{affair}进展汇报，协调解决问题{m}个",
        "参加{county}{affair}专题会议，汇报工作进展"),
    "检查调研": t(
        "带队到{town}督导{affair}，现场协调解决问题{m}个",
        "到{sec}调研{affair}，听取工作汇报",
        "陪同[{superior}领导|县领导]到{town}[调研|检查]{affair}",
        "到{base}调研，座谈了解{affair}推进情况",
        "带队到{town}开展{affair}专题调研，形成调研报告提纲"),
    "督办事项": market_phrases.LEADER_TEXT["督办事项"],
    "党建工作": t(
        "讲授专题党课，围绕{affair}谈认识",
        "与{sec}负责同志开展党风廉政建设谈话",
        "参加所在党支部“三会一课”，围绕{affair}交流发言",
        "主持召开{group}学习会，学习{theory}",
        "听取{sec}党建工作汇报，提出整改要求{m}条"),
    "信访接待": market_phrases.LEADER_TEXT["信访接待"],
    "业务工作": t(
        "审阅{sec}报送的{affair}材料并提出修改意见",
        "研究{affair}推进措施，签发文件{m}件",
        "审核{sec}起草的{affair}[实施方案|工作总结|汇报材料]",
        "听取{sec}关于{affair}的专题汇报，明确下步工作重点",
        "{lead_work}"),
}
_TRAINING = t("参加培训班[分组讨论|案例教学|结业测试]，交流{affair}工作做法",
              "参加{law}专题讲座，结合本县实际做好记录")
TRIPS = (
    (Template("赴[{superior}|{province}|市委党校]参加{affair}专题培训班，听取[专题辅导|政策解读]"),
     _TRAINING),
    (Template("赴{superior}参加{affair}业务骨干培训，学习{law}"), _TRAINING),
    (Template("赴[济南|青岛|潍坊|日照|淄博]学习考察{affair}工作经验"), t(
        "实地观摩{m}处点位{affair}经验做法，记录学习要点",
        "与{peer}座谈交流{affair}做法，收集经验材料{m}份")),
    (Template("到{superior}报送{affair}工作材料并参加座谈"), t(
        "与{superior}业务科室对接{affair}有关问题{m}个",
        "向{superior}汇报{affair}有关事项，听取指导意见")),
)
TRIP_BACK = t(
    "返程途中整理{affair}学习笔记和有关材料",
    "返回后向{lead}汇报{affair}有关情况")
EVENING_TEXT = t(
    "晚上加班起草{affair}汇报材料，完成初稿",
    "晚上加班整理{affair}迎检资料{k}份",
    "{evening}",
    "晚上加班修改{affair}[工作方案|汇报材料]，根据{lead}意见调整{m}处")
VAGUE_TEXT = market_phrases.VAGUE_TEXT


def kind_slots(**values) -> dict:
    """A kind's slots: strings, `Pick`s (given as tuples of templates) or word lists (given as
    one string with spaces, marked by a leading '~')."""
    out = {}
    for key, value in values.items():
        if isinstance(value, tuple):
            out[key] = Pick(*value)
        elif isinstance(value, str) and value.startswith("~"):
            out[key] = _one_of(value[1:])
        else:
            out[key] = value
    out.setdefault("theory", _one_of(THEORY))
    out.setdefault("county_meeting", _one_of("经济运行调度会 安全生产工作会议 优化营商环境推进会 信访稳定工作会议"))
    out.setdefault("dept", _one_of(DEPARTMENTS))
    return out
