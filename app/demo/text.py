"""Entry texts of the demo database: a small template engine, the named things a county
市场监督管理局 writes about (enterprises, markets, streets, schools, products …), the composer
that turns (category, topic) into one log sentence, and `TextMemory`, which keeps a person's
texts from repeating within the review look-back window.

Template syntax (see `Template`): ``[a|b|c]`` picks one alternative (alternatives may hold
slots), ``{slot}`` is filled from the slots: a string, a function of the random generator, or a
`Pick` of further templates. The sentences themselves are in app.demo.phrases.
"""
from __future__ import annotations

import datetime as dt
import re

from app.core.flags import bigrams
from app.demo.data import TOWNS

# ---------------------------------------------------------------- templates
_TOKEN = re.compile(r"\[([^\]]+)\]|\{(\w+)\}")


class Template:
    """A text pattern parsed once into literal / choice / slot parts, expanded quickly."""
    __slots__ = ("parts", "text")

    def __init__(self, text: str):
        self.text = text
        self.parts: list[tuple[int, object]] = []   # (0, literal) (1, alternatives) (2, slot)
        pos = 0
        for m in _TOKEN.finditer(text):
            if m.start() > pos:
                self.parts.append((0, text[pos:m.start()]))
            if m.group(1) is not None:
                self.parts.append((1, tuple(Template(a) if "{" in a else a
                                            for a in m.group(1).split("|"))))
            else:
                self.parts.append((2, m.group(2)))
            pos = m.end()
        if pos < len(text):
            self.parts.append((0, text[pos:]))

    def expand(self, rng, slots: dict) -> str:
        """Choices index by `rng.random()` (a C call; `rng.choice` costs several times more)."""
        out = []
        random = rng.random
        for kind, value in self.parts:
            if kind == 0:
                out.append(value)
            elif kind == 1:
                choice = value[int(random() * len(value))]
                out.append(choice if choice.__class__ is str else choice.expand(rng, slots))
            else:
                v = slots[value]
                out.append(v if v.__class__ is str else
                           v.expand(rng, slots) if v.__class__ is Pick else v(rng))
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.text!r})"


class Pick:
    """A slot filled by one of several templates (themselves expanded with the same slots)."""
    __slots__ = ("templates",)

    def __init__(self, *texts: str):
        self.templates = tuple(Template(t) for t in texts)

    def expand(self, rng, slots: dict) -> str:
        templates = self.templates
        return templates[int(rng.random() * len(templates))].expand(rng, slots)


def t(*texts: str) -> tuple[Template, ...]:
    return tuple(Template(x) for x in texts)


def pick(rng, items):
    """rng.choice, faster (one C call)."""
    return items[int(rng.random() * len(items))]


def _one_of(words: str):
    items = tuple(words.split())
    n = len(items)
    return lambda rng: items[int(rng.random() * n)]


def _number(lo: int, hi: int, step: int = 1):
    n = (hi - lo) // step + 1
    return lambda rng: str(lo + int(rng.random() * n) * step)


# ---------------------------------------------------------------- named things
TOWN_SHORT = tuple(re.sub("(街道|镇|乡)$", "", x) for x in TOWNS)
# 字号 (trade names) of the enterprises, shops and estates of the county: made up.
TRADE_NAMES = ("鲁源 金沂 华康 恒泰 鑫盛 宏达 瑞丰 福源 永兴 佳禾 康利 利民 丰泽 润泽 天和 众诚 "
               "兴旺 盛华 新河 富康 大成 汇通 金穗 绿源 嘉信 鼎盛 合力 德润 荣华 昌盛 广源 泰和 "
               "隆兴 万家 惠民 百信 双河 青禾 益康 源丰 华信 佳美 同乐 顺发 金泰 宏盛 和顺 正阳 "
               "安泰 新源 沂丰 祥瑞 玉泉 瑞祥 亿家 美佳 旺达 聚源 恒信 东泰")
STREETS = ("沂蒙路 人民路 滨河大道 解放路 文化路 建设路 振兴路 府前街 新华路 中心街 青年路 "
           "商城路 育才路 光明路 环城东路 环城西路 工业大道 兴业路 长安路 富民路")
FOODS = ("食用植物油 散装白酒 鲜猪肉 糕点 冷冻饮品 豆制品 蔬菜 水产品 桶装饮用水 调味面制品 "
         "乳制品 熟肉制品 鸡蛋 散装粮食 蜂蜜 茶叶 饮料 速冻食品 食用农产品 婴幼儿配方乳粉 "
         "保健食品 酱腌菜 火锅底料 月饼")
GOODS = ("电线电缆 化肥 儿童玩具 电动自行车 燃气灶具 建筑用钢筋 塑料管材 防水卷材 小家电 "
         "农用薄膜 安全帽 灭火器 水泥 涂料 童装 学生用品 电热毯 插座 预拌混凝土 人造板")
AGRI = "化肥 农药 种子 农膜 兽药 饲料"
COSMETICS = "儿童化妆品 防晒类化妆品 染发类化妆品 美白祛斑类化妆品 网红化妆品 牙膏"
DRUGS = "中药饮片 处方药 含麻黄碱类复方制剂 医用耗材 疫苗 血糖试纸 医用口罩 隐形眼镜"
THEORY = ("习近平新时代中国特色社会主义思想 党的二十届四中全会精神 习近平法治思想 "
          "习近平总书记关于食品安全工作的重要论述 习近平总书记关于安全生产的重要指示精神 "
          "中央八项规定及其实施细则精神 《中国共产党纪律处分条例》 省委全会精神 "
          "习近平总书记视察山东重要讲话精神 《习近平谈治国理政》第五卷 全国两会精神")
SECTION_NAMES = ("办公室 法规科 登记注册科 食品安全科 药品医疗器械化妆品科 特种设备安全科 "
                 "价格监督检查与反不正当竞争科 质量发展与标准计量科 消费者权益保护科 综合执法大队")
GEO = "沂河蜜桃 沂河板栗 青石山楂 柳林金银花 河阳小米 双山黄烟 岸堤丹参"
MONTHS = "本月 上月 本季度 上半年 近期"

SLOTS = {
    "n": _number(6, 24), "m": _number(1, 5), "k": _number(12, 68), "big": _number(150, 900, 50),
    "money": _number(300, 9800, 100), "score": _number(86, 100),
    "town": _one_of(" ".join(TOWNS)), "ts": _one_of(" ".join(TOWN_SHORT)),
    "z": _one_of(TRADE_NAMES), "street": _one_of(STREETS), "food": _one_of(FOODS),
    "goods": _one_of(GOODS), "agri": _one_of(AGRI), "cosm": _one_of(COSMETICS),
    "drugs": _one_of(DRUGS), "theory": _one_of(THEORY), "geo": _one_of(GEO),
    "month": _one_of(MONTHS), "anysec": _one_of(SECTION_NAMES),
    "food_co": Pick("沂河县{z}[食品|面业|肉制品|饮品|粮油|酒业|调味品|豆制品|糕点|乳业]有限公司"),
    "factory": Pick("{z}[机械|化工|建材|电缆|塑业|纺织|木业|包装|新材料|钢结构|电器]有限公司"),
    "firm": Pick("{food_co}", "{factory}", "{z}商贸有限公司", "{z}建筑工程有限公司",
                 "{ts}{z}农业专业合作社", "{z}科技有限公司", "{z}物流有限公司"),
    "shop": Pick("{z}[超市|便利店|生活超市|副食店|粮油店]", "{ts}{z}超市"),
    "eatery": Pick("{z}[饭店|酒楼|快餐店|面馆|烧烤店|水饺馆|农家乐|火锅店]", "{street}{z}饭店"),
    "canteen": Pick("{ts}中心小学食堂", "县第[一|二|三|四]实验小学食堂", "县第[二|三|五]中学食堂",
                    "{ts}初级中学食堂", "{z}幼儿园食堂", "{ts}敬老院食堂", "县职业中专食堂"),
    "market": Pick("{ts}农贸市场", "[东关|西关|南关|北关|城北]农贸市场", "{ts}大集",
                   "县蔬菜批发市场", "{street}早市", "{z}农贸市场"),
    "pharmacy": Pick("{z}大药房{street}店", "{z}医药连锁{ts}店", "{ts}{z}药店"),
    "clinic": Pick("{town}卫生院", "{ts}{z}诊所", "{street}社区卫生服务站", "{z}口腔门诊部"),
    "gas": Pick("{z}加油站", "{ts}加油站", "{street}加油站"),
    "estate": Pick("{z}[花园|家园|名苑|华府|嘉园|小区|公馆]"),
    "hotel": Pick("{z}[宾馆|酒店|大酒店]"),
    "mall": Pick("{z}购物广场", "{z}商厦", "{street}{z}超市"),
    "case": Pick("{shop}涉嫌销售过期食品案", "{factory}涉嫌生产不合格{goods}案",
                 "{eatery}未取得食品经营许可从事经营案", "{pharmacy}涉嫌销售劣药案",
                 "{gas}涉嫌加油机计量作弊案", "{shop}涉嫌价格欺诈案",
                 "{z}商贸有限公司涉嫌虚假宣传案", "{z}农资经营部涉嫌销售不合格{agri}案",
                 "{z}服装店涉嫌销售侵犯注册商标专用权商品案",
                 "{estate}物业公司涉嫌使用未经定期检验电梯案", "{eatery}涉嫌使用超范围食品添加剂案"),
}


# ---------------------------------------------------------------- composing one entry
class Topic:
    """What one line of work is called and what is written about it: its affairs and laws (slot
    values), business and inspection sentences, and tails (what came of an inspection, or of
    the business work of a topic without inspections). `slots`: the named things of the kind
    of unit the topic belongs to (app.demo.kinds), over SLOTS."""
    __slots__ = ("name", "affairs", "laws", "work", "check", "tails", "slots")

    def __init__(self, name: str, affairs: str, laws: str, work: tuple, check: tuple = (),
                 tails: tuple = (), slots: dict | None = None):
        self.name, self.work, self.check, self.tails = name, work, check, tails
        self.affairs, self.laws = _one_of(affairs), _one_of(laws)
        self.slots = slots or {}


TAIL_SHARE = {"业务工作": 0.5, "检查调研": 0.55, "审批服务": 0.35}   # others 0.25
_APPROVAL_TOPICS = ("reg", "food", "drug", "seq", "credit")


def compose(rng, phrases, category: str, topic: str, leader: bool, sec: str
            ) -> tuple[str, Template]:
    """(text, the template it came from) of one entry of `category` about `topic` (a key of
    phrases.TOPICS); `phrases` is the kind's text bank: app.demo.phrases for the 市场监督管理局
    (passed in: no import cycle), an app.demo.kinds.base.Phrases for the other kinds."""
    top = phrases.TOPICS[topic]
    if leader and category in phrases.LEADER_TEXT and (category != "业务工作" or rng.random() < 0.6):
        pool = phrases.LEADER_TEXT[category]
    elif category == "检查调研":
        pool = top.check or phrases.CATEGORY_TEXT[category]
    elif category == "业务工作" or (category == "审批服务" and rng.random() < 0.6
                                     and topic in getattr(phrases, "APPROVAL_TOPICS", _APPROVAL_TOPICS)):
        pool = top.work
    else:
        pool = phrases.CATEGORY_TEXT[category]
    template = pick(rng, pool)
    slots = _slots(top, sec)
    text = template.expand(rng, slots)
    if rng.random() < TAIL_SHARE.get(category, 0.25):
        own = top.tails if pool is top.check or (pool is top.work and not top.check) else ()
        tail = pick(rng, own if own and rng.random() < 0.6 else phrases.TAILS[category])
        text = f"{text}，{tail.expand(rng, slots)}"
    return text, template


_SLOT_SETS: dict[tuple, dict] = {}


def _slots(topic: Topic, sec: str) -> dict:
    """SLOTS with the kind's, the topic's and the section's (made once per pair)."""
    found = _SLOT_SETS.get((topic, sec))
    if found is None:
        found = _SLOT_SETS[(topic, sec)] = dict(SLOTS, **topic.slots, tname=topic.name,
                                                affair=topic.affairs, law=topic.laws, sec=sec)
    return found


def expand(rng, template: Template, topic: Topic, sec: str = "", affair: str = "") -> str:
    """A template outside `compose` (trips, evenings) with the topic's slots; `affair`: the
    one the text is about (else one of the topic's)."""
    slots = _slots(topic, sec)
    return template.expand(rng, dict(slots, affair=affair) if affair else slots)


# ---------------------------------------------------------------- memory of recent texts
class TextMemory:
    """Texts already written, to keep new ones from reading as copies to the review flags
    (app.core.flags: Dice similarity of character bigrams ≥ 0.9 with the author's own texts of
    the last 30 days, or with a colleague's on the same day; exact copies unit-wide). Only texts
    from the same template are compared (others share too little to come close), as written:
    one template puts the same punctuation in the same places, so leaving it in (the flags drop
    it) changes little and costs nothing. Bigram sets are made only for texts of about equal
    length. The people are generated one after another, each through the days in order."""

    def __init__(self, lookback_days: int = 30, threshold: float = 0.86):
        self.lookback = dt.timedelta(days=lookback_days)
        self.threshold = threshold
        self.ratio = threshold / (2 - threshold)
        self._own: dict[tuple, list] = {}        # (person, template) → [[day, text, grams]]
        self._mates: dict[tuple, list] = {}      # (section, day, template) → the same items
        self._exact: dict[dt.date, set] = {}     # day → texts, unit-wide
        self.recent: dict[str, list] = {}        # person → [(day, category, text, duty id)]
        self.inspections: dict[tuple, list] = {}  # (section, day) → [(text, duty id)]

    def _close(self, text: str, others: list) -> bool:
        """Whether `text` is as similar as the threshold to one of `others` ([day, text,
        bigrams or None]); lengths first, bigram sets only for texts of about equal length."""
        n, threshold, ratio = len(text), self.threshold, self.ratio * 0.95
        grams = None
        for other in others:
            size = len(other[1])
            if size < n * ratio or n < size * ratio:
                continue
            if grams is None:
                grams = bigrams(text)
            other_grams = other[2]
            if other_grams is None:
                other_grams = other[2] = bigrams(other[1])
            if 2 * len(grams & other_grams) >= threshold * (len(grams) + len(other_grams)):
                return True
        return False

    def offer(self, person: str, section: str | None, day: dt.date, template, text: str,
              force: bool = False) -> bool:
        """Keep `text` if it is unlike the person's recent texts and the section's of the day
        (or if `force`); False: rejected, write another."""
        exact = self._exact.get(day)
        if exact is None:
            exact = self._exact[day] = set()
        own = self._own.get((person, template))
        if own is None:
            own = self._own[(person, template)] = []
        first = day - self.lookback
        while own and own[0][0] < first:
            del own[0]
        mates = None
        if section:
            mates = self._mates.get((section, day, template))
            if mates is None:
                mates = self._mates[(section, day, template)] = []
        if not force and (text in exact or (own and self._close(text, own))
                          or (mates and self._close(text, mates))):
            return False
        item = [day, text, None]
        exact.add(text)
        own.append(item)
        if mates is not None:
            mates.append(item)
        return True

    def remember(self, person: str, section: str | None, day: dt.date, category: str,
                 text: str, duty_id: str | None) -> None:
        """What a later intentional copy may take: the person's last entries, the section's
        inspections of the day."""
        recent = self.recent.setdefault(person, [])
        recent.append((day, category, text, duty_id))
        if len(recent) > 24:
            del recent[:8]
        if section and category == "检查调研":
            self.inspections.setdefault((section, day), []).append((text, duty_id))
