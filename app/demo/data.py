"""Word lists of the demo database (a county 市场监督管理局): sections, 三定 duties, names, and how
people's days are divided among the work categories. The entry texts are composed by
app.demo.text from the sentences in app.demo.phrases.
"""
from __future__ import annotations

import re

UNIT_NAME = "沂河县市场监督管理局"
CREDIT_PREFIX = "11371399"            # 登记管理部门 1 (机构编制) + 机构类别 1 (机关) + 行政区划
ID_REGIONS = ("371302", "371311", "371312", "371321", "371322", "371323", "371324", "371325",
              "371326", "371327", "371328", "371329", "370102", "370211")
PASSWORD = "lzkp2026"

# ---------------------------------------------------------------- sections
# key, name, 科室职责概述, people in the 60-person unit, topic of work without a duty link
SECTIONS = (
    ("off", "办公室", "负责机关文电、会务、督办、信息、保密、档案、财务、人事和党建等日常运转工作，"
     "承担综合协调、政务公开和新闻宣传。", 6, "office"),
    ("law", "法规科", "负责法治建设、规范性文件合法性审查、行政复议应诉和行政执法监督，"
     "组织普法宣传和重大执法决定法制审核。", 4, "law"),
    ("reg", "登记注册科", "负责市场主体登记注册、行政许可事项办理和信用监管，"
     "组织年报公示和“双随机、一公开”监管。", 6, "reg"),
    ("food", "食品安全科", "承担县食安委日常工作，负责食品生产、销售、餐饮服务环节监管和监督抽检，"
     "组织食品安全应急处置。", 7, "food"),
    ("drug", "药品医疗器械化妆品科", "负责药品零售使用、医疗器械经营使用和化妆品经营环节监管，"
     "组织不良反应（事件）监测。", 4, "drug"),
    ("seq", "特种设备安全科", "负责锅炉、压力容器、电梯、起重机械、大型游乐设施等特种设备安全监察，"
     "组织事故应急处置。", 5, "seq"),
    ("price", "价格监督检查与反不正当竞争科", "负责价格监督检查、反不正当竞争、广告监管、"
     "网络交易监管和打击传销工作。", 5, "price"),
    ("qual", "质量发展与标准计量科", "负责产品质量安全监管、质量强县、计量、标准化、认证认可"
     "和知识产权保护运用。", 5, "qual"),
    ("cons", "消费者权益保护科", "负责12315投诉举报受理处置、消费维权、放心消费创建，"
     "指导县消费者协会工作。", 4, "cons"),
    ("enf", "综合执法大队", "负责市场监管领域综合执法，查处违法案件，开展农资、知识产权等"
     "专项执法行动。", 9, "enforce"),
)
STATION_SUMMARY = ("负责辖区市场主体日常监管、食品药品和特种设备安全巡查、投诉举报处置，"
                   "承担登记注册“就近办”服务。")
TOWNS = ("城关街道", "东城街道", "西城街道", "河阳镇", "青石镇", "柳林镇", "双山镇", "马牧池乡",
         "辛集镇", "苏村镇", "铜井镇", "界湖街道", "张庄镇", "杨家坡镇", "石门镇", "白马镇", "大庄镇",
         "岸堤镇", "孙祖镇", "葛沟镇", "蒲汪镇", "湖头镇")
_ORDINALS = ("", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十")


def station_name(i: int) -> str:
    """Name of the i-th grassroots station: 城关市场监督管理所 … 城关第二市场监督管理所 …"""
    town = re.sub("(街道|镇|乡)$", "", TOWNS[i % len(TOWNS)])
    n = i // len(TOWNS)
    return f"{town}{_ORDINALS[n] if n < len(_ORDINALS) else f'第{n + 1}'}市场监督管理所"


# Duties a grassroots 市场监督管理所 carries (used when the unit is scaled up).
STATION_DUTIES = ("SD-02", "SD-04", "SD-09", "SD-12", "SD-15", "SD-18", "SD-30", "SD-32")

# Deputies (post, sections in charge); the principal is 党组书记、局长.
PRINCIPAL_POST = "党组书记、局长"
PRINCIPAL_DUTIES = ("SD-01", "SD-07", "SD-39")
DEPUTIES = (("党组成员、副局长", ("off", "law", "cons")),
            ("党组成员、副局长", ("reg", "price", "enf")),
            ("党组成员、食品安全总监", ("food", "drug")),
            ("党组成员、副局长", ("seq", "qual")))
HEAD_POSTS = {"off": "主任", "enf": "大队长"}            # else 科长; stations 所长
DEPUTY_HEAD_POSTS = {"off": "副主任", "enf": "副大队长"}  # else 副科长; stations 副所长
# Posts of staff outside 行政编制, by section key ("" = any other section).
STAFF_POSTS = {
    "事业编制": {"seq": ("工程师", "助理工程师", "高级工程师"), "qual": ("工程师", "助理工程师", "高级工程师"),
               "": ("专业技术人员", "管理人员", "助理工程师")},
    "工勤编制": {"off": ("驾驶员",), "": ("工勤技能人员",)},
    "政法专项编制": {"": ("执法队员",)},
    "编外": {"cons": ("12315话务员",), "reg": ("窗口辅助人员",), "": ("协管员", "辅助执法人员")},
}
# 职级 of 行政编制 staff by minimum age.
RANKS_BY_AGE = ((50, ("一级主任科员", "二级主任科员")), (40, ("二级主任科员", "三级主任科员", "四级主任科员")),
                (30, ("四级主任科员", "一级科员")), (0, ("一级科员", "科员")))
# Oldest age (in the demo's year) by gender and 编制类型, so nobody on the roster is past the
# statutory retirement age (women 工勤 50, other women 55, men 60, before the 2025 raise).
MAX_AGE = {("女", "工勤编制"): 49, ("女", None): 54, ("男", None): 59}
# Days before the demo's last day that each 借调/离岗 began, by turn: a few months to over two
# years, so the staffing analysis shows short and long (seed 004: 借调人员时间较长) secondments.
STATUS_SINCE_DAYS = (130, 470, 800, 65, 260, 560)
# Weights in the order of vocab.EDUCATIONS (研究生, 大学本科, 大学专科, 中专, 高中及以下).
EDUCATION_WEIGHTS = {"行政编制": (15, 70, 15, 0, 0), "事业编制": (12, 63, 25, 0, 0),
                     "工勤编制": (0, 0, 30, 40, 30), "政法专项编制": (5, 90, 5, 0, 0),
                     "编外": (0, 40, 50, 10, 0)}

# ---------------------------------------------------------------- 三定 duties
# code, class, sections (first is the lead section), topic, content
DUTIES = (
    ("SD-01", "一般", ("law", "off"), "law", "贯彻执行市场监督管理法律法规和方针政策，起草本县市场监督管理规范性文件，拟订并组织实施市场监管发展规划"),
    ("SD-02", "核心", ("reg",), "reg", "负责本县市场主体统一登记注册，承担各类企业、农民专业合作社和个体工商户的登记注册工作"),
    ("SD-03", "一般", ("reg",), "credit", "建立市场主体信息公示和共享机制，组织市场主体年度报告公示，依法公示和共享有关信息"),
    ("SD-04", "核心", ("reg", "enf"), "credit", "负责企业信用监管，组织实施“双随机、一公开”监管，推进经营异常名录和严重违法失信名单管理"),
    ("SD-05", "核心", ("enf", "law"), "enforce", "组织和指导市场监管综合执法工作，依法查处市场监管领域违法案件和无照无证经营行为"),
    ("SD-06", "核心", ("reg", "law"), "reg", "负责市场监管领域行政许可事项办理，推进“放管服”改革和“一网通办”，优化营商环境"),
    ("SD-07", "核心", ("food", "off"), "food", "承担县食品安全委员会日常工作，负责食品安全监督管理综合协调，组织食品安全重大活动保障"),
    ("SD-08", "核心", ("food",), "food", "负责食品生产环节安全监督管理，督促食品生产企业落实食品安全主体责任"),
    ("SD-09", "核心", ("food",), "food", "负责食品销售和餐饮服务环节安全监督管理，组织开展校园及周边、农村集体聚餐等重点领域食品安全监管"),
    ("SD-10", "核心", ("food",), "food", "组织实施食品安全监督抽检，承担不合格食品核查处置、风险预警和交流工作"),
    ("SD-11", "一般", ("food", "off"), "food", "负责食品安全应急体系建设，组织指导食品安全事件应急处置和调查处理"),
    ("SD-12", "核心", ("drug",), "drug", "负责药品零售和使用环节质量监督管理，监督实施药品经营质量管理规范"),
    ("SD-13", "核心", ("drug",), "drug", "负责医疗器械经营使用和化妆品经营环节质量安全监督管理"),
    ("SD-14", "一般", ("drug",), "drug", "组织开展药品不良反应、医疗器械不良事件和化妆品不良反应监测与处置"),
    ("SD-15", "核心", ("seq",), "seq", "负责特种设备安全监督管理，组织开展锅炉、压力容器、电梯、起重机械、大型游乐设施等安全监察"),
    ("SD-16", "核心", ("seq",), "seq", "监督检查特种设备使用单位和检验检测机构，组织特种设备事故应急处置和调查处理"),
    ("SD-17", "一般", ("seq",), "seq", "负责特种设备使用登记和作业人员监督管理，推进电梯应急处置和维保质量监督"),
    ("SD-18", "核心", ("price",), "price", "负责价格监督检查，依法查处价格违法行为，规范涉企收费和民生领域价格秩序"),
    ("SD-19", "一般", ("price", "enf"), "price", "负责反不正当竞争执法，依法查处仿冒混淆、虚假宣传、商业贿赂等不正当竞争行为"),
    ("SD-20", "一般", ("price",), "price", "负责广告活动监督管理，开展广告监测，依法查处虚假违法广告"),
    ("SD-21", "一般", ("price", "cons"), "price", "负责网络交易监督管理，组织开展网络市场监测和网络交易违法行为查处"),
    ("SD-22", "辅助", ("price",), "price", "负责直销监督管理和打击传销工作"),
    ("SD-23", "核心", ("qual",), "qual", "负责产品质量安全监督管理，组织实施产品质量监督抽查，承担工业产品生产许可证后监管"),
    ("SD-24", "一般", ("qual",), "qual", "实施质量强县战略，推进质量品牌建设和质量基础设施“一站式”服务"),
    ("SD-25", "核心", ("qual",), "metro", "负责计量工作，推行法定计量单位，管理计量器具和强制检定，组织民生计量监督检查"),
    ("SD-26", "一般", ("qual",), "std", "负责标准化工作，监督地方标准、团体标准和企业标准实施，推进标准化试点示范"),
    ("SD-27", "一般", ("qual",), "std", "负责认证认可与检验检测监督管理，依法查处认证和检验检测违法行为"),
    ("SD-28", "核心", ("qual", "law"), "ip", "负责知识产权保护与运用，推进商标、专利、地理标志的培育保护和专利侵权纠纷行政裁决"),
    ("SD-29", "核心", ("enf", "qual"), "enforce", "负责知识产权执法，依法查处商标侵权、假冒专利等违法行为"),
    ("SD-30", "核心", ("cons",), "cons", "负责消费者权益保护工作，受理处置12315投诉举报，组织开展消费维权"),
    ("SD-31", "辅助", ("cons",), "cons", "组织开展放心消费创建和消费环境建设，指导县消费者协会开展工作"),
    ("SD-32", "一般", ("enf",), "enforce", "负责农村市场和农资市场监督管理，依法查处假冒伪劣农资等违法行为"),
    ("SD-33", "一般", ("law",), "law", "负责法治建设，承担规范性文件合法性审查、行政复议和行政应诉工作"),
    ("SD-34", "核心", ("law",), "law", "负责行政执法监督，落实行政执法“三项制度”，组织重大执法决定法制审核和案件审理"),
    ("SD-35", "辅助", ("law", "off"), "law", "负责普法宣传和市场监管政策宣传，承担政务公开和新闻宣传工作"),
    ("SD-36", "辅助", ("off",), "office", "负责机关文电、会务、督办、信息、档案、保密、机要等日常运转工作"),
    ("SD-37", "辅助", ("off",), "finance", "负责机关财务、国有资产管理和内部审计工作"),
    ("SD-38", "辅助", ("off",), "hr", "负责机关人事、机构编制、教育培训和干部队伍建设工作"),
    ("SD-39", "辅助", ("off",), "party", "负责机关党建、党风廉政建设和精神文明建设工作"),
    ("SD-40", "辅助", ("off",), "generic", "负责统计、信访、安全生产和应急管理等综合工作，完成县委县政府交办的其他任务"),
)
PARTY_DUTY = "SD-39"
GENERAL_AFFAIRS_DUTY = "SD-40"      # 综合事务 entries often link here
DUTY_CLASS_WEIGHT = {"核心": 3.0, "一般": 2.0, "辅助": 1.0}   # how often a post duty is worked on

# ---------------------------------------------------------------- names (with pinyin for logins)
SURNAMES = ("王wang 李li 张zhang 刘liu 孙sun 杨yang 赵zhao 陈chen 高gao 徐xu 马ma 于yu 郑zheng "
            "董dong 孟meng 宋song 韩han 朱zhu 胡hu 郭guo 何he 林lin 吴wu 周zhou 黄huang 袁yuan "
            "曹cao 邵shao 薛xue 魏wei 吕lv 丁ding 苏su 蒋jiang 庞pang 颜yan 尹yin 房fang 欧阳ouyang")
SURNAME_WEIGHTS = (12, 11, 10, 8, 6, 6, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2,
                   2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)
MALE_CHARS = ("伟wei 强qiang 磊lei 军jun 洋yang 勇yong 杰jie 涛tao 明ming 超chao 刚gang 平ping "
              "辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 斌bin 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 旭xu "
              "宁ning 龙long 峰feng 博bo 昊hao 志zhi 建jian 国guo 文wen 海hai 东dong 振zhen 晨chen "
              "泽ze 瑞rui 成cheng 庆qing 德de 永yong 金jin 立li 彬bin 晓xiao 家jia 子zi 天tian")
FEMALE_CHARS = ("芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 霞xia 燕yan 玲ling 婷ting 雪xue 慧hui "
                "颖ying 琳lin 倩qian 洁jie 萍ping 红hong 梅mei 莉li 晶jing 佳jia 欣xin 悦yue 璐lu "
                "蕾lei 雯wen 彤tong 菲fei 薇wei 晓xiao 文wen 秀xiu 春chun 雅ya 思si 梦meng")
# Rare characters that fonts and reports must handle (docs/ARCHITECTURE.md "Known traps"):
# char, pinyin, gender.
RARE_CHARS = (("堃", "kun", "男"), ("喆", "zhe", "男"), ("昇", "sheng", "男"), ("赟", "yun", "男"),
              ("玥", "yue", "女"))


def split_pinyin(words: str) -> list[tuple[str, str]]:
    """'王wang 李li' → [('王', 'wang'), ('李', 'li')] (compound surnames keep both characters)."""
    out = []
    for word in words.split():
        han = "".join(c for c in word if not c.isascii())
        out.append((han, word[len(han):]))
    return out


# ---------------------------------------------------------------- log plans (texts: demo_text, demo_phrases)
CATEGORIES = ("业务工作", "检查调研", "学习教育", "会议活动", "督办事项", "审批服务", "党建工作",
              "信访接待", "综合事务")
# Category weights by role (order of CATEGORIES).
ROLE_CATEGORY_WEIGHTS = {
    "主要领导": (6, 15, 8, 34, 15, 1, 12, 5, 4),
    "分管领导": (10, 22, 7, 28, 14, 2, 8, 5, 4),
    "科室负责人": (36, 16, 6, 13, 8, 5, 5, 4, 7),
    "科室人员": (48, 15, 6, 5, 3, 7, 3, 4, 9),
}
# Extra weight for the staff of some sections.
SECTION_CATEGORY_BONUS = {
    "reg": {"审批服务": 25}, "cons": {"信访接待": 12}, "off": {"综合事务": 14, "督办事项": 6},
    "enf": {"检查调研": 18}, "seq": {"检查调研": 12}, "food": {"检查调研": 10},
    "drug": {"审批服务": 5, "检查调研": 8}, "station": {"检查调研": 15, "审批服务": 6},
}

def times_of(hours: list[float]) -> list[tuple[str | None, str | None]]:
    """Consecutive start/end times from 08:30, skipping the lunch break (12:00–14:00).
    Days that would not fit by 18:30 (or an entry longer than a half day) get no times at all."""
    cur, out = 8 * 60 + 30, []
    for h in hours:
        dur = round(h * 60)
        if cur < 12 * 60 < cur + dur or 12 * 60 <= cur < 14 * 60:
            cur = 14 * 60
        if cur + dur > 18 * 60 + 30 or dur > 4 * 60:
            return [(None, None)] * len(hours)
        out.append((f"{cur // 60:02d}:{cur % 60:02d}", f"{(cur + dur) // 60:02d}:{(cur + dur) % 60:02d}"))
        cur += dur
    return out
