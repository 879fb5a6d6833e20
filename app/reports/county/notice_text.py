"""The wording of the county 通报 (全县机关履职监测情况的通报), written from the numbers: who is
praised, who is named under 存在问题 and what the 下一步要求 ask of whom all follow from the
county table's rows, the 上报包 standings and the 编办's settings (app.core.bureau.reminders).

`Standing` sorts every unit once; the sentences below only read it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.core import metrics as M
from app.core.bureau.reminders import NoticeSettings, PackageStatus
from app.core.metrics import Period
from app.reports.county import data as D
from app.reports.model import pct
from app.reports.report_book import BAND_WORDS

NEXT_ROUND = {"month": "下月", "quarter": "下一季度", "year": "下一年度"}


def period_words(period: Period) -> str:
    """2026年第三季度, 2026年10月, 2026年上半年; a year reads 2026年度."""
    return f"{period.start.year}年度" if period.kind == "year" else period.label


def title_parts(period: Period) -> list[str]:
    return [f"关于{period_words(period)}", "全县机关履职监测情况的通报"]


def title(period: Period) -> str:
    return "".join(title_parts(period))


def number_line(area: str, year: int, number: int | None) -> str:
    """沂编办通〔2026〕7号; without a number the place is left for the registry to fill in."""
    place = str(number) if number else "\u3000\u3000"
    return f"{area[:1]}编办通〔{year}〕{place}号"


def day_text(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def joined(names: list[str]) -> str:
    return "、".join(names)


@dataclass
class Standing:
    """Every unit sorted for the 通报."""
    rows: list                                    # CountyRow, registration order
    packages: dict[str, PackageStatus]
    settings: NoticeSettings
    period: Period
    today: dt.date
    late: list = field(default_factory=list)      # rows whose due 上报包 has not come
    no_data: list = field(default_factory=list)   # rows without approved work in the period
    review_low: list = field(default_factory=list)
    submission_low: list = field(default_factory=list)
    over: list = field(default_factory=list)      # saturation above the green band
    under: list = field(default_factory=list)     # … below it
    unjudged: list = field(default_factory=list)  # saturation not judged: work waits or days are missing
    praised: list = field(default_factory=list)

    def __post_init__(self):
        s = self.settings
        for r in self.rows:
            package = self.packages.get(r.unit_id)
            late = package is not None and package.late
            if late:
                self.late.append(r)
            if not D.has_data(r):
                self.no_data.append(r)
                continue
            review = r.review.rate if r.review is not None else None
            submission = D.submission(r)
            if review is not None and review < s.min_review:
                self.review_low.append(r)
            if submission is not None and submission < s.min_submission:
                self.submission_low.append(r)
            saturation = D.saturation(r)
            bands = r.figures.settings.bands
            if r.figures.backlog() is not None or (submission is not None and submission < s.min_submission):
                self.unjudged.append(r)       # approved hours understate the work: no load verdict
            elif saturation is not None and saturation > bands.green_high:
                self.over.append(r)
            elif saturation is not None and saturation < bands.green_low:
                self.under.append(r)
            elif (not late and review is not None and review >= s.min_review
                  and submission is not None and submission >= s.min_submission):
                self.praised.append(r)
        self.over.sort(key=lambda r: -D.saturation(r))
        self.under.sort(key=D.saturation)
        self.praised.sort(key=lambda r: (-(D.submission(r) or 0), -(r.review.rate or 0)))

    @property
    def due_month(self) -> Period | None:
        return next((p.due_month for p in self.packages.values()), None)

    @property
    def deadline(self) -> dt.date | None:
        return next((p.deadline for p in self.packages.values()), None)

    def problems_of(self, r) -> list[str]:
        """The short words of the 情况 column."""
        found = []
        if r in self.late:
            found.append(f"上报包逾期{self.packages[r.unit_id].days_late}天")
        if r in self.no_data:
            found.append("本期无上报数据")
        found += ["审核率偏低"] * (r in self.review_low) + ["填报率偏低"] * (r in self.submission_low)
        found += ["饱和度偏高"] * (r in self.over) + ["饱和度偏低"] * (r in self.under)
        found += ["饱和度暂不评价"] * (r in self.unjudged)
        return found or (["表扬"] if r in self.praised else [])


def totals_line(st: Standing, t: D.CountyTotals) -> str:
    """总体情况 first paragraph: the county's figures from the sums of the units' inputs."""
    submitted = sum(r.review.submitted for r in st.rows if r.review is not None)
    approved = sum(r.review.approved for r in st.rows if r.review is not None)
    review = f"审核率{pct(approved / submitted)}" if submitted else "本期没有送审的日志"
    reporting = len(st.rows) - len(st.no_data)
    if not reporting:
        return (f"{period_words(st.period)}，全县登记单位{len(st.rows)}个，均没有本期经审定的履职日志，"
                f"无法统计履职情况。")
    band = BAND_WORDS.get(t.band) if t.band else ""
    return (f"{period_words(st.period)}（{st.period.start.isoformat()}至{st.period.end.isoformat()}），"
            f"全县登记单位{len(st.rows)}个，其中{reporting}个单位有本期经审定的履职日志，计入统计{t.people}人。"
            f"各单位已提交日志{t.submitted_days}人日，日志填报率{pct(t.submission_rate)}；"
            f"送审日志{submitted}篇，已审定{approved}篇，{review}；"
            f"全县工作饱和度{pct(t.saturation)}" + (f"（{band}）" if band else "")
            + (f"，核心职责聚焦度{pct(t.focus.core)}" if t.focus else "") + "。")


def packages_line(st: Standing) -> str:
    month, deadline = st.due_month, st.deadline
    if month is None:
        return ""
    on_time = len(st.rows) - len(st.late)
    text = (f"截至{day_text(st.today)}，应于{day_text(deadline)}前报送的{month.label}上报包，"
            f"{on_time}个单位已按时报送")
    if st.late:
        text += f"，{joined([r.name for r in st.late])}{len(st.late)}个单位尚未报送"
    return text + "。"


def praise(st: Standing) -> list[str]:
    s = st.settings
    if not st.praised:
        return [f"本期没有上报包按时报送、审核率和填报率均不低于{pct(s.min_review, 0)}、"
                f"工作饱和度处于合理区间的单位。"]
    best = st.praised[0]
    return [f"{joined([r.name for r in st.praised])}{len(st.praised)}个单位上报包按时报送，"
            f"日志填报、审核及时，工作饱和度处于合理区间，予以表扬。其中，{best.name}日志填报率"
            f"{pct(D.submission(best))}、审核率{pct(best.review.rate)}，工作饱和度{pct(D.saturation(best))}。"]


def problems(st: Standing) -> list[tuple[str, str]]:
    """(run-in head, text) of each problem found; none when nothing was found."""
    s, found = st.settings, []
    if st.late:
        found.append(("上报包报送不及时。", "；".join(
            f"{r.name}{st.packages[r.unit_id].late_text()}" for r in st.late) + "。"))
    missing = [r for r in st.no_data if r not in st.late]
    if missing:
        found.append(("本期没有上报数据。", f"{joined([r.name for r in missing])}本期没有经审定的履职日志，"
                      "无法评价其履职情况。"))
    if st.review_low:
        found.append(("日志审核不及时。", "；".join(
            f"{r.name}{r.review.text()}" for r in st.review_low)
            + f"，{'均' if len(st.review_low) > 1 else ''}低于{pct(s.min_review, 0)}，未审定的日志不计入工作饱和度。"))
    if st.submission_low:
        found.append(("日志填报不全。", "；".join(
            f"{r.name}日志填报率{pct(D.submission(r))}（已提交{r.figures.submitted_days}人日÷应出勤"
            f"{r.figures.available_days}人日）" for r in st.submission_low)
            + f"，{'均' if len(st.submission_low) > 1 else ''}低于{pct(s.min_submission, 0)}。"))
    if st.over or st.under or st.unjudged:
        parts = []
        if st.over:
            parts.append(f"{_with_saturation(st.over)}工作饱和度高于合理区间上限"
                         f"{pct(st.over[0].figures.settings.bands.green_high, 0)}，工作负荷偏重")
        if st.under:
            parts.append(f"{_with_saturation(st.under)}工作饱和度低于合理区间下限"
                         f"{pct(st.under[0].figures.settings.bands.green_low, 0)}，工作量不饱满")
        if st.unjudged:
            parts.append(f"{joined([r.name for r in st.unjudged])}待审日志较多或日志填报不全，"
                         "已审定工时不能反映实际工作量，本期工作饱和度暂不评价")
        found.append(("工作负荷不均衡。" if st.over or st.under else "工作饱和度暂不评价。",
                      "；".join(parts) + "。"))
    return found


def _with_saturation(rows) -> str:
    return "、".join(f"{r.name}（{pct(D.saturation(r))}）" for r in rows)


def requirements(st: Standing) -> list[tuple[str, str]]:
    """下一步要求, one for each kind of problem found, then the next round of monitoring."""
    s, asks = st.settings, []
    if st.late:
        asks.append(("按时报送数据。", f"请{joined([r.name for r in st.late])}立即报送"
                     f"{st.due_month.label}的上报包；各单位每月{s.due_day}日前报送上月的上报包。"))
    if st.review_low:
        asks.append(("及时审核日志。", f"请{joined([r.name for r in st.review_low])}督促科室负责人、"
                     f"分管领导及时审阅已提交的日志，尽快清理待审日志，审核率达到{pct(s.min_review, 0)}以上。"))
    if st.submission_low:
        asks.append(("完整填报日志。", f"请{joined([r.name for r in st.submission_low])}督促干部每个"
                     f"工作日填报履职日志，填报率达到{pct(s.min_submission, 0)}以上。"))
    if st.over:
        asks.append(("统筹工作力量。", f"{joined([r.name for r in st.over])}工作负荷偏重，"
                     "请结合职责任务梳理岗位工时，编办将结合编制需求测算统筹研究。"))
    if st.under:
        asks.append(("优化人员配置。", f"{joined([r.name for r in st.under])}工作量不饱满，"
                     "请对照“三定”职责查找原因，优化内部人员配置。"))
    nxt = NEXT_ROUND.get(st.period.kind, "下期")
    if st.period.kind == "half":
        nxt = "下半年" if st.period.start.month == 1 else "下一年度上半年"
    asks.append(("持续监测。", f"编办将继续按月监测各单位履职留痕、日志审核和上报包报送情况，"
                 f"{nxt}再行通报" + ("；本期通报的问题请于下期通报前整改到位。" if len(asks) else "。")))
    return asks


def unit_lines(st: Standing) -> list[list[str]]:
    """Rows of the table of every unit."""
    lines = []
    for n, r in enumerate(st.rows, 1):
        package = st.packages.get(r.unit_id)
        if package is None:
            sent = M.DASH
        elif package.late:
            sent = f"逾期{package.days_late}天"
        elif package.next_open:
            sent = "待报"
        else:
            sent = "按时"
        has = D.has_data(r)
        lines.append([str(n), r.name, sent, pct(D.submission(r)) if has else M.DASH,
                      pct(r.review.rate) if r.review is not None else M.DASH,
                      pct(D.saturation(r)) if has else M.DASH,
                      pct(D.core_share(r)) if has else M.DASH,
                      "、".join(st.problems_of(r))])
    return lines
