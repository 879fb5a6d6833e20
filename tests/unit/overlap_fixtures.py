"""A county's 三定 duties for the overlap analysis tests and benchmark.

`county_duties(units, per_unit, seed)` writes 40 duties for each of up to 50 departments of a
county government: the 8 internal duties every organ has (the demo unit's SD-33…SD-40: 机关文电,
财务, 人事, 党建, 法治, 宣传 …, each unit wording them a little differently) and 32 duties on the
department's own subjects in the phrasing 三定 texts use (监督管理、行政许可、发展规划、监督检查、
应急处置…). So different units share the stock phrases and differ in subject: the case the
analysis must not flag.

PLANTED are near-duplicate duties put into two different units — the same duty rephrased as
三定 texts do (clauses reordered, 负责/承担 swapped, 县级/全县 added, 监管 for 监督管理) — that it
must find. UNRELATED are pairs of duties that share the boilerplate but not the subject, which it
must not flag; COUNTED, one it should flag although the subjects differ (see there).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import datetime as dt

from sqlalchemy import select

from tests.signers import signed
from app.core.logrules import EntryDraft
from app.core.validators import make_credit_code
from app.db.engine import Database
from app.db.models import Duty, DutySection, Person, PostDuty, Section
from app.services.exchange import enrollment, unit_side as unit_sync
from app.services.logs import daily as logs
from app.services.review import queue as review
from app.services.org.actor import SYSTEM, Actor
from app.services.county.mirrors import Mirrors
from app.services.county.bureau import import_packages, register_unit
from app.services.org.setup import UnitSetup, initialise_unit, open_database

BUREAU_NAME = "沂河县委编办"

# key, unit name, subjects (noun phrases the templates are filled with)
DEPARTMENTS = (
    ("edu", "教育和体育局", "学前教育 义务教育 普通高中教育 职业教育 教师队伍建设 学生资助 校园安全 教育督导 "
                      "群众体育 竞技体育 体育场地设施"),
    ("health", "卫生健康局", "公共卫生 疾病预防控制 医疗机构 基层卫生 妇幼健康 职业健康 计划生育服务 老龄健康 "
                        "中医药 卫生应急 爱国卫生运动"),
    ("agri", "农业农村局", "种植业 畜牧业 渔业 农田建设 农产品质量安全 农药兽药 农业机械化 农村经营管理 "
                      "农村人居环境整治 耕地质量 农业科技推广"),
    ("nature", "自然资源和规划局", "国土空间规划 耕地保护 土地利用 地质灾害防治 矿产资源 不动产登记 测绘地理信息 "
                            "土地储备 建设用地审批 自然资源确权"),
    ("build", "住房和城乡建设局", "建筑市场 建设工程质量 建筑施工安全 房地产市场 住房保障 城市供水 城市燃气 "
                           "物业管理 城市建设档案 建筑节能 老旧小区改造"),
    ("traffic", "交通运输局", "公路建设 农村公路 道路运输 水路运输 城乡公交 出租汽车 交通运输安全 "
                         "公路养护 交通战备 港航设施"),
    ("water", "水利局", "水资源 河湖管理 水土保持 防汛抗旱 水利工程建设 农村饮水安全 水库管理 "
                     "节约用水 河道采砂 灌区管理"),
    ("env", "生态环境分局", "大气污染防治 水污染防治 土壤污染防治 固体废物 环境影响评价 排污许可 环境监测 "
                       "核与辐射安全 生态保护 环境应急"),
    ("culture", "文化和旅游局", "公共文化服务 文物保护 非物质文化遗产 文化市场 旅游市场 旅游资源开发 "
                           "广播电视 艺术创作 图书馆建设 文化产业"),
    ("civil", "民政局", "社会救助 养老服务 儿童福利 残疾人福利 社会组织 殡葬管理 婚姻登记 区划地名 "
                     "社区治理 慈善事业"),
    ("hr", "人力资源和社会保障局", "就业创业 职业技能培训 劳动关系 劳动保障监察 养老保险 工伤保险 "
                          "人才引进 事业单位人事管理 劳动人事争议仲裁 农民工服务"),
    ("finance", "财政局", "预算管理 国库集中支付 政府采购 行政事业单位国有资产 财政投资评审 会计管理 "
                       "政府债务 惠民惠农补贴 非税收入 财政监督"),
    ("dev", "发展和改革局", "国民经济和社会发展规划 固定资产投资 重大项目 价格管理 能源管理 粮食安全 "
                       "社会信用体系 营商环境 节能审查 区域协调发展"),
    ("industry", "工业和信息化局", "工业经济运行 技术改造 中小企业发展 信息化建设 无线电管理 工业节能 "
                            "民营经济 新兴产业 工业园区 民用爆炸物品"),
    ("commerce", "商务局", "内外贸易 招商引资 对外经济合作 电子商务 商贸流通 成品油流通 酒类流通 "
                        "再生资源回收 生活必需品市场供应 外商投资"),
    ("emerg", "应急管理局", "安全生产 危险化学品 非煤矿山 工贸行业安全 防灾减灾 应急救援 森林防火 "
                       "应急物资储备 自然灾害救助 安全生产执法"),
    ("audit", "审计局", "预算执行审计 经济责任审计 政府投资项目审计 专项资金审计 国有企业审计 内部审计 "
                     "审计整改 民生资金审计"),
    ("stats", "统计局", "统计调查 国民经济核算 人口普查 经济普查 农业普查 统计执法 统计数据质量 "
                     "统计信息发布"),
    ("medins", "医疗保障局", "医疗保险 医疗救助 医保基金 医药价格 药品集中采购 医保定点机构 长期护理保险 "
                        "生育保险"),
    ("veteran", "退役军人事务局", "退役军人安置 优抚褒扬 拥军优属 退役军人就业创业 烈士纪念设施 "
                            "军休服务 双拥工作 光荣院管理"),
    ("judicial", "司法局", "人民调解 社区矫正 公共法律服务 法律援助 律师管理 公证管理 普法依法治理 "
                        "行政复议 行政执法协调监督 安置帮教"),
    ("urban", "综合行政执法局", "城市市容 环境卫生 城市园林绿化 户外广告 违法建设治理 市政设施 "
                           "城市照明 建筑垃圾 餐厨垃圾 数字城管"),
    ("approval", "行政审批服务局", "政务服务 投资项目审批 工程建设项目审批 社会事务审批 市场准入审批 "
                            "政务服务热线 一窗受理 帮办代办 证照管理"),
    ("forest", "林业局", "森林资源 林地管理 野生动植物保护 自然保护地 国土绿化 林业有害生物防治 "
                      "古树名木 林木种苗 湿地保护"),
    ("rural", "乡村振兴局", "巩固脱贫攻坚成果 防止返贫监测 衔接资金 驻村帮扶 乡村建设 扶贫资产 "
                       "消费帮扶 社会帮扶"),
    ("petition", "信访局", "来信来访 网上信访 信访事项督查 矛盾纠纷排查 信访秩序 信访积案化解 领导接访 "
                        "信访信息"),
    ("archive", "档案馆", "档案收集 档案保管 档案利用 档案数字化 档案行政执法 地方志编纂 史料征集 "
                       "档案安全"),
    ("media", "融媒体中心", "新闻采编 广播节目 电视节目 网络平台 舆情监测 新闻发布 融媒体产品 "
                       "播出安全"),
    ("civdef", "人民防空办公室", "人防工程 防空警报 人防指挥通信 人民防空宣传教育 疏散基地 人防工程"
                            "易地建设费 人防专业队伍"),
    ("grain", "粮食和物资储备中心", "地方储备粮 粮食流通 粮食质量安全 物资储备 粮食收购 粮食应急供应 "
                             "储备库建设"),
    ("data", "大数据中心", "政务数据共享 电子政务网络 政务云平台 数据资源目录 数字政府 网络安全保障 "
                       "信息系统整合 公共数据开放"),
    ("trade", "公共资源交易中心", "工程建设项目招标投标 政府采购交易 产权交易 土地使用权出让交易 "
                           "交易场所管理 评标专家管理 交易平台建设 交易信息公开"),
    ("fund", "住房公积金管理中心", "住房公积金归集 住房公积金贷款 住房公积金提取 公积金缴存 "
                             "公积金风险防控 公积金信息系统"),
    ("disabled", "残疾人联合会", "残疾人康复 残疾人教育 残疾人就业 残疾人证核发 残疾人权益保障 "
                           "残疾人文化体育 无障碍环境建设"),
    ("women", "妇女联合会", "妇女权益保障 家庭家教家风 妇女儿童发展规划 巾帼创业 婚姻家庭纠纷调解 "
                       "儿童关爱服务 妇女组织建设"),
    ("youth", "共青团县委", "青少年思想教育 青年志愿者 少先队 青年创业就业 青少年权益 团组织建设 "
                       "青年人才"),
    ("union", "总工会", "职工权益 工会组织建设 劳动竞赛 职工帮扶 职工文化体育 工会经费 职工疗休养 "
                     "劳模管理"),
    ("science", "科学技术协会", "科学普及 科技工作者服务 学术交流 院士专家工作站 青少年科技创新 "
                           "科普基础设施 科技社团"),
    ("supply", "供销合作社联合社", "农资供应 农产品流通 基层供销社 农村综合服务社 再生资源回收网络 "
                            "社有资产 农民专业合作社服务"),
    ("org", "县委组织部", "领导班子建设 干部选拔任用 干部监督 公务员管理 基层党组织建设 党员教育管理 "
                       "人才工作 老干部工作"),
    ("prop", "县委宣传部", "理论武装 新闻宣传 网络意识形态 精神文明创建 文艺工作 对外宣传 "
                       "新时代文明实践"),
    ("front", "县委统战部", "民主党派工作 无党派人士工作 民族工作 宗教工作 非公有制经济人士统战 "
                        "新的社会阶层人士 港澳台侨工作"),
    ("polit", "县委政法委", "平安建设 社会治安综合治理 网格化服务管理 政法队伍建设 扫黑除恶 "
                        "执法监督 见义勇为"),
    ("office", "县政府办公室", "政务督查 政务信息 政府文电 会务接待 政务公开 应急值守 "
                          "建议提案办理 政府网站"),
    ("market", "市场监督管理局", "市场主体登记 食品生产 食品销售 餐饮服务 药品零售 医疗器械经营 "
                           "特种设备 产品质量 计量 标准化 知识产权 价格监督 广告 网络交易"),
    ("gov", "机关事务服务中心", "公务用车 公共机构节能 办公用房 机关食堂 机关物业 机关安全保卫 "
                           "会议服务"),
    ("tax", "税务局", "税收征收管理 纳税服务 税源管理 社会保险费征收 非税收入征收 发票管理 "
                     "税务稽查"),
    ("police", "公安局", "社会治安 刑事侦查 户籍管理 道路交通安全 消防监督 出入境管理 网络安全保卫 "
                      "禁毒工作 治安巡逻防控"),
    ("sport", "机关工委", "机关党的建设 机关党员教育 机关作风建设 机关党组织换届 模范机关创建 "
                       "机关群团工作"),
    ("invest", "投资促进中心", "招商项目库 项目洽谈 招商活动 客商服务 重点项目跟踪 招商信息"),
)

# Clauses 三定 duties are made of; {s} is a subject of the unit. Every unit uses the same stock
# of clauses, as real 三定 texts do; a duty joins one to three of them.
CLAUSES = (
    "负责{s}的监督管理", "依法查处{s}领域违法违规行为", "拟订{s}发展规划和政策措施并组织实施",
    "承担{s}相关行政许可事项的受理和审查", "组织开展{s}监督检查", "督促有关单位落实{s}主体责任",
    "负责{s}统计监测和信息发布", "指导{s}标准化、规范化建设", "组织{s}突发事件应急处置",
    "承担{s}项目申报审核和专项资金管理", "推进{s}领域改革", "组织{s}宣传教育和业务培训",
    "受理{s}方面的投诉举报", "协调推进{s}重点项目建设", "负责{s}目标责任考核和督导评估",
    "承担{s}信息化建设和数据管理", "组织{s}调查研究并提出政策建议", "指导乡镇（街道）做好{s}",
    "会同有关部门做好{s}", "完善{s}体制机制", "负责{s}的日常管理和服务", "组织实施{s}专项整治",
)

# The demo unit's internal duties (SD-33 … SD-40) and an 8th: every organ has them.
INTERNAL = (
    "负责法治建设，承担规范性文件合法性审查、行政复议和行政应诉工作",
    "负责行政执法监督，落实行政执法“三项制度”，组织重大执法决定法制审核",
    "负责普法宣传和政策宣传，承担政务公开和新闻宣传工作",
    "负责机关文电、会务、督办、信息、档案、保密、机要等日常运转工作",
    "负责机关财务、国有资产管理和内部审计工作",
    "负责机关人事、机构编制、教育培训和干部队伍建设工作",
    "负责机关党建、党风廉政建设和精神文明建设工作",
    "负责统计、信访、安全生产和应急管理等综合工作，完成县委县政府交办的其他任务",
)

# Near-duplicates planted into two different units (department keys): found by the analysis.
PLANTED = (
    ("culture", "负责旅游市场秩序整治，依法查处旅游市场违法违规行为，受理旅游投诉",
     "market", "依法查处旅游市场违法违规行为，承担县级旅游市场秩序整治和旅游投诉受理工作"),
    ("nature", "组织编制县国土空间总体规划，负责城乡规划管理和建设项目规划许可",
     "build", "承担城乡规划管理工作，负责建设项目规划许可，参与编制全县国土空间总体规划"),
    ("water", "负责农田水利基本建设和管理，指导农村饮水安全工程建设",
     "agri", "指导全县农村饮水安全工程建设，承担农田水利基本建设和管理工作"),
    ("edu", "会同有关部门负责学校食堂和校园周边食品安全监督管理",
     "market", "承担校园周边和学校食堂食品安全监管工作"),
    ("urban", "负责城市市容和环境卫生管理，组织生活垃圾分类收运处置",
     "build", "承担县城市容环境卫生管理工作，负责生活垃圾分类收运和处置"),
    ("health", "负责职业卫生监督管理，组织开展职业病危害因素监测",
     "emerg", "组织开展全县职业病危害因素监测，承担职业卫生监管"),
    ("civil", "负责全县养老机构的监督管理，推进居家社区养老服务",
     "health", "推进居家社区养老服务，承担养老机构监督管理工作"),
)

# Same boilerplate, different subject: not 职责交叉 (different objects of administration).
UNRELATED = (
    ("负责食品安全监督管理", "负责安全生产监督管理"),
    ("负责城市道路、桥梁的养护管理", "负责农村公路的养护管理"),
    ("负责义务教育学校的规划布局和办学条件改善", "负责公共文化设施的规划布局和服务条件改善"),
    ("负责水土保持监督管理，组织水土流失综合治理", "负责土壤污染防治监督管理，组织污染地块治理"),
    ("组织开展药品监督抽检，承担不合格药品核查处置", "组织开展农产品质量安全监督抽检，承担不合格农产品核查处置"),
)

# Same wording, different target group, yet a candidate the 编办 should see: the same service
# (就业服务、职业培训) split over units — the 人社局 provides it to everyone — is the classic
# 职责交叉 question "who serves this group?".
COUNTED = (("负责残疾人就业服务和职业培训", "负责退役军人就业服务和职业培训"),)


@dataclass
class UnitDuties:
    key: str
    name: str
    duties: list[tuple[str, str, str]]     # (code, class, content)


def _internal(text: str, rng: random.Random) -> str:
    """The unit's own wording of an internal duty: its list items in another order, sometimes
    one left out, 负责 or 承担."""
    head, _, tail = text.partition("，")
    prefix = "负责" if head.startswith("负责") else ""
    body = head[len(prefix):]
    items = body.split("、")
    if len(items) > 2:
        rng.shuffle(items)
        if rng.random() < 0.4:
            items.pop()
    verb = rng.choice(("负责", "负责", "承担")) if prefix else ""
    return verb + "、".join(items) + ("，" + tail if tail else "")


def county_duties(units: int = 50, per_unit: int = 40, seed: int = 7, planted: bool = True,
                  keys: tuple[str, ...] | None = None) -> list[UnitDuties]:
    """`units` departments (≤ 50; or those named by `keys`) with `per_unit` duties each; the
    PLANTED pairs replace one generated duty in each of their two units (when both are in)."""
    if units > len(DEPARTMENTS):
        raise ValueError(f"at most {len(DEPARTMENTS)} units")
    rng = random.Random(seed)
    chosen = [d for d in DEPARTMENTS if d[0] in keys] if keys else DEPARTMENTS[:units]
    result = []
    for key, name, subject_text in chosen:
        subjects = subject_text.split()
        texts: list[str] = []
        while len(texts) < per_unit - len(INTERNAL):
            subject = subjects[len(texts) % len(subjects)]
            if rng.random() < 0.25:   # two subjects in one clause: "A、B"
                subject += "、" + rng.choice([x for x in subjects if x != subject])
            clauses = rng.sample(CLAUSES, rng.choice((1, 2, 2, 3)))
            text = "，".join(c.format(s=subject) for c in clauses)
            if text not in texts:
                texts.append(text)
        texts += [_internal(t, rng) for t in INTERNAL][:max(0, per_unit - len(texts))]
        own = per_unit - len(INTERNAL)
        duties = [(f"{key.upper()}-{i + 1:02d}", "核心" if i < own // 2 else ("一般" if i < own else "辅助"),
                   text) for i, text in enumerate(texts)]
        result.append(UnitDuties(key, f"沂河县{name}", duties))
    if planted:
        by_key = {u.key: u for u in result}
        for n, (ka, ta, kb, tb) in enumerate(PLANTED):
            if ka in by_key and kb in by_key:
                for key, text in ((ka, ta), (kb, tb)):
                    duties = by_key[key].duties
                    slot = n % max(1, len(duties) - len(INTERNAL))   # a generated duty, not internal
                    while duties[slot][2] in {p[1] for p in PLANTED} | {p[3] for p in PLANTED}:
                        slot += 1
                    code, cls, _ = duties[slot]
                    duties[slot] = (code, cls, text)
    return result


def planted_texts() -> set[frozenset[str]]:
    return {frozenset((ta, tb)) for _, ta, _, tb in PLANTED}


def credit(i: int) -> str:
    """Valid credit codes: 0 is the 编办's, 1… the units'."""
    return make_credit_code("11371321", f"MB28{5103 + i:04d}")


def write_duties(mirror: Database, duties: list[tuple[str, str, str]]) -> None:
    """Duty rows written into a unit's mirror (as the 编办 issuing 三定 duties does)."""
    with mirror.session(SYSTEM) as s:
        s.add_all(Duty(unit_id=mirror.unit_id, code=code, content=text, duty_class=cls, active=True,
                       sort_order=i) for i, (code, cls, text) in enumerate(duties))


def build_county(root: Path, units: list[UnitDuties]) -> tuple[Database, Mirrors, dict[str, str]]:
    """A 编办 database with the units registered and their duties in their mirrors; returns
    the database, its mirrors and unit ids by department key."""
    root.mkdir(parents=True, exist_ok=True)
    db = open_database(root / "county.sqlite", create=True)
    initialise_unit(db, UnitSetup(BUREAU_NAME, credit(0), edition="bureau"))
    mirrors = Mirrors(db)
    ids = {}
    for n, unit in enumerate(units, 1):
        ids[unit.key] = register_unit(db, SYSTEM, UnitSetup(unit.name, credit(n),
                                                             staffing_quotas={"行政编制": 10}))
        write_duties(mirrors.get(ids[unit.key]), unit.duties)
    return db, mirrors, ids


def report_unit(db: Database, mirrors: Mirrors, unit_id: str, root: Path, day: dt.date) -> Database:
    """The unit made from its 单位注册包 (with the duties the 编办 issued), a small roster and one
    approved log, sent back in a 上报包. Of its duties (in order): 1st and 2nd have a 承担科室 and
    a post; the 3rd a 承担科室 only; the 4th a post only; the rest neither. The log (on `day`)
    is linked to the 1st."""
    root.mkdir(parents=True, exist_ok=True)
    package = enrollment.write_enrollment(db, mirrors, unit_id, root)
    unit, _ = enrollment.create_from_enrollment(root / "unit.sqlite", package.path, package.code)
    package.path.unlink()
    with unit.session(SYSTEM) as s:
        duties = list(s.scalars(select(Duty).order_by(Duty.sort_order, Duty.code)))
        section = Section(unit_id=unit.unit_id, name="综合科")
        s.add(section)
        people = {login: Person(unit_id=unit.unit_id, name=name, login=login, role=role, status="在职",
                                staffing_type="行政编制")
                  for login, name, role in (("ld", "王局长", "主要领导"), ("zs", "张三", "科室人员"))}
        s.add_all(people.values())
        s.flush()
        s.add_all(DutySection(duty_id=d.id, section_id=section.id) for d in duties[:3])
        s.add_all(PostDuty(person_id=people["zs"].id, duty_id=d.id) for d in duties[:2] + duties[3:4])
        first = duties[0].id
        actors = {p.login: Actor(p.id, p.login, p.name, p.role, p.section_id, False)
                  for p in people.values()}
    actors = {login: signed(unit, a) for login, a in actors.items()}
    entry = EntryDraft(hours=7, category="业务工作", content="办理旅游投诉3件并回访", duty_id=first)
    log_id = logs.save_day(unit, actors["zs"], day, "正常", [entry], submit=True, today=day).log_id
    review.approve(unit, actors["ld"], log_id, today=day)
    path = unit_sync.export_report(unit, root).path
    [result] = import_packages(db, mirrors, [path], apply=True)
    assert result.status == "imported", result.message
    return unit
