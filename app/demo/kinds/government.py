"""The generic profile for county bodies without a kind of their own (财政局, 民政局, 宣传部, 档案馆,
乡镇 …, i.e. the 50-unit county beyond the written kinds): 办公室, 政策法规股, 规划发展股,
业务管理股, 监督检查股, 综合服务中心, and duties and sentences worded on the body's own field
(财政, 民政, 宣传 …) taken from its name. Such duties read alike from body to body, as the stock
phrasing of real 三定 does; the 编办's overlap analysis groups them as 共性职责. A few bodies add
duties of their own (FIELD_DUTIES) where a real 三定 meets another unit's: 人社 and the 组织部 on
人才, 人社 and the 总工会 on 劳动关系, 工信 / 商务 and the 发改 on 项目 and 招商引资, 农业农村 and
the 市场监管 on 农资, 民政 and the 组织部 on 社会组织党建."""
from __future__ import annotations

import re

from app.demo.kinds.base import Kind, internal_duties, kind_slots, phrases

# body (after the county name) → the field its duties are worded on, where the name does not say
FIELDS = {
    "委办公室": "县委综合协调", "人民政府办公室": "政府政务运转", "政协办公室": "政协履职服务",
    "委政法委员会": "政法", "委网络安全和信息化委员会办公室": "网络安全和信息化", "委政策研究室": "政策研究",
    "委宣传部": "宣传思想文化", "委统战部": "统一战线", "委老干部局": "老干部服务",
    "工商业联合会": "非公有制经济服务", "科学技术协会": "科普", "残疾人联合会": "残疾人服务",
    "妇女联合会": "妇女儿童", "机关事务服务中心": "机关事务", "中医医院": "中医医疗服务",
    "妇幼保健院": "妇幼保健服务", "城市管理服务中心": "城市管理",
    # fields that are words of every unit's internal duties (内部审计, 统计, 信访, 档案) weigh
    # nothing in the overlap analysis: a longer field keeps these bodies apart
    "审计局": "审计监督", "统计局": "统计调查", "信访局": "信访事项办理", "档案馆": "档案收集保管利用",
    "图书馆": "公共图书借阅", "机关事务服务中心": "公务用车和办公用房", "应急管理局": "防灾减灾救灾",
}
# body → (class, section key, topic, content) of duties of its own
FIELD_DUTIES = {
    "人力资源和社会保障局": (
        ("核心", "biz", "business", "负责专业技术人才和高技能人才队伍建设，组织实施重点人才工程和人才引进培养，承担专业技术职称评审"),
        ("核心", "sup", "inspect", "负责劳动关系协调和劳动争议调解仲裁，组织实施劳动保障监察"),
        ("核心", "svc", "service", "负责促进就业创业，落实就业援助和高校毕业生就业政策")),
    "工业和信息化局": (
        ("核心", "biz", "business", "负责工业和信息化领域重点项目谋划推进和招商引资，协调解决项目建设要素保障问题"),
        ("一般", "plan", "planning", "负责工业经济运行监测分析，推进企业技术改造和数字化转型")),
    "商务局": (
        ("核心", "biz", "business", "负责招商引资工作的统筹协调，推进招商引资项目落地，协调解决项目建设要素保障问题"),
        ("一般", "sup", "inspect", "负责重要生活必需品市场监测和应急保供，推进消费促进工作")),
    "农业农村局": (
        ("核心", "sup", "inspect", "负责农药、兽药、种子、肥料等农资质量监督管理，依法查处假冒伪劣农资等违法行为"),
        ("核心", "biz", "business", "负责粮食等重要农产品生产，推进高标准农田建设和乡村振兴")),
    "民政局": (
        ("核心", "biz", "business", "负责社会组织登记管理和监督检查，推进社会组织党的建设，推动党的组织和党的工作有效覆盖"),
        ("核心", "svc", "service", "负责最低生活保障、特困人员救助供养和临时救助，推进养老服务体系建设")),
    "司法局": (
        ("核心", "law", "policy", "负责全民普法和依法治县工作，承担行政执法协调监督和行政复议"),),
}
TOWN = re.compile(r"(镇|乡)人民政府$|街道办事处$")

SECTIONS = (
    ("off", "办公室", "负责机关文电、会务、督办、信息、档案、保密、财务和人事，承担机关党建。", 5, "office"),
    ("law", "政策法规股", "负责{f}政策研究、规范性文件起草审核、行政复议应诉和普法宣传。", 4, "policy"),
    ("plan", "规划发展股", "负责{f}发展规划、年度计划、统计分析和信息化建设。", 4, "planning"),
    ("biz", "业务管理股", "负责{f}业务的组织实施和日常管理，推进重点任务落实。", 7, "business"),
    ("sup", "监督检查股", "负责{f}领域的监督检查、专项整治和安全生产。", 5, "inspect"),
    ("svc", "综合服务中心", "负责{f}公共服务和政务服务事项办理。", 5, "service"),
)
# Worded so that the field stands apart ("{f}工作的 …": the overlap analysis breaks its n-grams
# at 工作 and 的), in the long stock phrasing of real 三定 texts: the generic bodies' duties meet
# one another on it and are listed once as 共性职责 (in a county of 14 bodies or more), and two
# bodies whose fields end alike (财政 / 民政) do not meet on a shared character.
DUTIES = (
    ("一般", ("law", "off"), "policy", "贯彻执行{f}工作的法律法规和方针政策，起草{f}工作的规范性文件草案，拟订配套政策措施并监督实施"),
    ("核心", ("plan",), "planning", "拟订全县{f}工作的发展规划和年度计划并组织实施，统筹推进{f}工作的重点任务，组织开展考核评估和督促检查"),
    ("核心", ("biz",), "business", "负责{f}工作的组织实施和日常管理，推进{f}工作的改革创新，协调解决推进中的重大问题，总结推广典型经验"),
    ("核心", ("sup",), "inspect", "负责{f}工作的监督检查，组织开展专项整治和执法检查，建立问题清单和整改台账，督促问题整改落实到位"),
    ("一般", ("svc", "biz"), "service", "负责{f}工作的公共服务和政务服务事项办理，推进“一网通办”“一次办好”，优化办事流程，提高服务质量"),
    ("一般", ("plan", "svc"), "planning", "负责{f}工作的统计分析和信息化建设，推进数据归集共享，做好信息发布和政务公开"),
    ("一般", ("sup", "law"), "inspect", "负责{f}工作中的安全生产和风险防范化解，健全应急预案，组织处置突发事件，维护社会稳定"),
    ("辅助", ("law",), "policy", "负责{f}工作的政策宣传和业务培训，指导乡镇（街道）开展{f}工作，加强基层队伍建设"),
)

OWN = {
    "policy": ("政策法规", "{f}政策研究 规范性文件合法性审查 行政复议应诉 普法宣传 权责清单管理",
               "《行政复议法》 《行政处罚法》 《优化营商环境条例》", (
        "起草《关于推进{field}高质量发展的实施意见》[初稿|征求意见稿|修改稿]",
        "对拟出台的{field}规范性文件开展合法性审查，提出修改意见{m}条",
        "梳理{field}领域权责清单，调整事项{m}项",
        "办理{field}领域行政复议答复{m}件，整理证据材料{n}份",
        "整理{field}政策汇编，解读政策要点{m}项"), (
        "到{town}开展{field}政策宣传，解答群众咨询{k}人次",)),
    "planning": ("规划发展", "{f}发展规划 年度计划 统计分析 信息化建设 重点项目谋划",
                 "《统计法》 《政府投资条例》", (
        "编制{field}年度工作计划，分解重点任务{n}项",
        "汇总{month}{field}工作数据，形成统计分析报告",
        "对接{superior}衔接{field}“十五五”规划，梳理重大项目{m}个",
        "更新{field}信息管理系统数据{k}条"), (
        "到{town}调研{field}重点项目谋划情况，收集项目{m}个",)),
    "business": ("业务管理", "{f}重点任务 {f}改革创新 {f}基础工作 {f}专项行动",
                 "《优化营商环境条例》 《政府信息公开条例》", (
        "办理{field}业务事项{n}件，审核相关材料",
        "推进{field}重点任务落实，更新任务台账{n}项",
        "起草{affair}[工作方案|阶段总结|情况汇报]，报{lead}审核",
        "对接{dept}协调{field}工作中的问题{m}个",
        "整理{affair}工作台账，核对基础数据{k}条"), (
        "到{town}督导{affair}落实情况，查阅台账{n}本",
        "到{base}调研{field}工作开展情况，座谈了解意见{m}条")),
    "inspect": ("监督检查", "{f}领域专项整治 {f}领域安全生产 {f}监督检查 问题整改",
                "《安全生产法》 《行政处罚法》", (
        "汇总{field}专项整治问题清单，督促整改{m}项",
        "整理监督检查记录{n}份，录入监管系统",
        "起草{affair}[检查方案|通报|总结]，报{lead}审核"), (
        "到{town}开展{field}领域监督检查，检查单位{n}家，发现问题{m}个",
        "对{firm}开展{field}领域安全生产检查")),
    "service": ("公共服务", "{f}公共服务 政务服务事项办理 “一网通办” 帮办代办",
                "《优化营商环境条例》 《政务服务事项标准化规定》", (
        "在政务服务大厅窗口受理{field}服务事项{n}件，当场办结{m}件",
        "解答群众关于{field}政策的咨询{k}人次",
        "为{firm}提供{field}事项帮办代办服务"), (
        "到{town}便民服务中心指导{field}服务事项办理",)),
}


def field_of(body: str) -> str:
    """The field a body's duties are worded on: 财政局 → 财政, 青石镇人民政府 → 青石镇."""
    if body in FIELDS:
        return FIELDS[body]
    if TOWN.search(body):
        return TOWN.sub(lambda m: m.group(1) or "街道", body)
    field = re.sub("^委", "", body)
    return re.sub("(事业中心|服务中心|中心|委员会|局|馆|院|办公室|联合会|协会|部)$", "", field) or body


def titles(body: str, unit_class: str) -> tuple[str, tuple[str, str, str]]:
    """The principal's post and the three deputies' of a body."""
    if TOWN.search(body):
        head = "街道" if body.endswith("办事处") else "乡" if body.endswith("乡人民政府") else "镇"
        chief = "主任" if head == "街道" else head + "长"
        return (f"党{'工' if head == '街道' else ''}委书记",
                (f"党{'工' if head == '街道' else ''}委副书记、{chief}", f"党{'工' if head == '街道' else ''}委委员、副{chief}",
                 f"党{'工' if head == '街道' else ''}委委员、副{chief}"))
    title = next((t for suffix, t in (("委员会", "书记"), ("部", "部长"), ("局", "局长"), ("办公室", "主任"),
                                      ("研究室", "主任"), ("联合会", "主席"), ("协会", "主席"), ("馆", "馆长"),
                                      ("院", "院长"), ("中心", "主任")) if body.endswith(suffix)), "主任")
    deputy = "副" + title if title != "书记" else "副书记"
    group = "党组" if unit_class in ("政府部门", "群团机关", "人大政协机关") else "党支部" \
        if "事业" in unit_class else ""
    principal = f"{group}书记、{title}" if group and title != "书记" else title
    member = f"{group}成员、" if group == "党组" else ""
    return principal, (f"{member}{deputy}", f"{member}{deputy}", deputy)


def kind_of(spec: str) -> Kind:
    """The generic profile for 'name|单位类别' (name with the county, as in the county demo)."""
    name, _, unit_class = spec.partition("|")
    body = re.sub("^沂河县", "", name)
    field = field_of(body)
    superior = "县委县政府" if TOWN.search(body) else ("市" + body if not body.startswith("委") else "市" + body)
    lead = "镇领导" if TOWN.search(body) else "单位领导"
    slots = kind_slots(
        lead=lead, meeting="班子会议", group="理论学习中心组", superior=superior, province="省直有关部门",
        county="县政府", office="办公室", peer="当地同行单位", field=field,
        anysec="~办公室 政策法规股 规划发展股 业务管理股 监督检查股 综合服务中心",
        base=("{town}", "{firm}", "{town}便民服务中心"), partners=("县财政局", "县发展和改革局", "县司法局"),
        visit=("单位{m}家", "群众{n}人", "企业{m}家"),
        lead_work=("审定{field}[工作方案|重点任务分工]，提出修改意见{m}条", "研究{field}重点工作推进措施，签发文件{m}件"),
        evening=("晚上加班起草{field}工作汇报材料，完成初稿",))
    own = {key: (n, affairs.replace("{f}", field), laws, work, *rest)
           for key, (n, affairs, laws, work, *rest) in OWN.items()}
    extra = FIELD_DUTIES.get(body, ())
    duties = tuple((f"ZF-{i:02d}", cls, secs, topic, text.replace("{f}", field))
                   for i, (cls, secs, topic, text) in enumerate(DUTIES, 1))
    duties += tuple((f"ZF-{len(duties) + i:02d}", cls, (sec,), topic, text)
                    for i, (cls, sec, topic, text) in enumerate(extra, 1))
    first = len(duties) + 1
    duties += internal_duties("ZF", first)
    party, affairs = f"ZF-{first + 3:02d}", f"ZF-{first + 4:02d}"
    main = "事业编制" if "事业" in unit_class else "行政编制"
    principal, deputies = titles(body, unit_class)
    return Kind(
        key=f"government:{spec}", unit_name=name, unit_class=unit_class or "政府部门",
        sections=tuple((k, n, s.replace("{f}", field), size, topic) for k, n, s, size, topic in SECTIONS),
        duties=duties, principal_post=principal, principal_duties=("ZF-01", "ZF-02", party),
        deputies=((deputies[0], ("law", "plan", "off")), (deputies[1], ("biz", "svc")), (deputies[2], ("sup",))),
        phrases=phrases(slots, own), party_duty=party, affairs_duty=affairs, main_staffing=main,
        staffing=(("事业编制", 0.12, 0, ("svc", "biz")), ("工勤编制", 0.03, 1, ("off",)),
                  ("编外", 0.08, 0, ("svc", "sup"))) if main == "行政编制" else
                 (("编外", 0.12, 0, ("svc", "biz")), ("工勤编制", 0.03, 1, ("off",))),
        staff_posts={"事业编制": {"": ("管理人员", "专业技术人员")},
                     "工勤编制": {"off": ("驾驶员",), "": ("工勤技能人员",)},
                     "编外": {"": ("辅助人员", "窗口辅助人员")}},
        head_posts={"off": "主任", "svc": "主任"}, deputy_head_posts={"off": "副主任", "svc": "副主任"},
        default_head="股长", default_deputy_head="副股长",
        field_topics=("inspect",),
        section_bonus={"sup": {"检查调研": 12}, "svc": {"审批服务": 20}, "off": {"综合事务": 14, "督办事项": 6}},
    )
