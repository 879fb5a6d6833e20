"""The demo unit as planned before anything is written (plain Python objects), and what the
generator reports back. Shared by the organisation (app.demo.unit) and the logs (app.demo.logs)."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.core import vocab
from app.core.ids import new_id


@dataclass
class DemoInfo:
    path: Path
    unit_name: str
    credit_code: str
    sections: int
    people: int                 # persons including the admin account
    duties: int
    logs: int
    entries: int
    secret_entries: int
    password: str
    start: dt.date
    end: dt.date
    working_days: int
    elapsed: float = 0.0
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # login, name, role, section
    gaps: set[tuple[str, str]] = field(default_factory=set)   # (login, ISO day) left without a log
    in_charge: dict[str, list[str]] = field(default_factory=dict)   # deputy login → section names
    reviews: Counter = field(default_factory=Counter)   # derived status → logs; "resubmitted"
    review_corrections: int = 0     # logs left unlike the planner by review_state.refresh (0)

    def summary(self) -> str:
        samples = []
        for role in ("单位管理员", *reversed(vocab.ROLES)):
            for login, name, r, section in self.accounts:
                if (login == "admin") == (role == "单位管理员") and (r == role or login == "admin"):
                    samples.append(f"  {login:<14}{name}（{role}{'，' + section if section else ''}）")
                    break
        return "\n".join([
            f"已生成演示数据库：{self.path}",
            f"单位：{self.unit_name}（统一社会信用代码 {self.credit_code}）",
            f"科室 {self.sections} 个，人员 {self.people} 人（含管理员账号 admin），三定职责 {self.duties} 条",
            f"日志：{self.start.isoformat()} 至 {self.end.isoformat()}，工作日 {self.working_days} 天，"
            f"日志 {self.logs} 篇，条目 {self.entries} 条（其中涉密 {self.secret_entries} 条），"
            f"未填报 {len(self.gaps)} 人日",
            f"审阅：已审定 {self.reviews[vocab.LOG_APPROVED]} 篇，待审 {self.reviews[vocab.LOG_SUBMITTED]} 篇，"
            f"已退回 {self.reviews[vocab.LOG_RETURNED]} 篇（另有 {self.reviews['resubmitted']} 篇退回后已重新提交），"
            f"草稿 {self.reviews[vocab.LOG_DRAFT]} 篇",
            f"所有演示账号的密码：{self.password}（无需修改）",
            "示例账号：", *samples,
            f"用时 {self.elapsed:.1f} 秒",
        ])


@dataclass(eq=False)
class PlanSection:
    key: str
    name: str
    summary: str
    topic: str
    order: int
    id: str = field(default_factory=new_id)
    duties: list = field(default_factory=list)


@dataclass(eq=False)
class PlanDuty:
    code: str
    duty_class: str
    section_keys: tuple
    topic: str
    content: str
    id: str = field(default_factory=new_id)


@dataclass(eq=False)
class PlanPerson:
    role: str
    section: PlanSection | None
    staffing: str | None = vocab.STAFFING_TYPES[0]
    post: str = ""
    status: str = "在职"
    male: bool = True
    age: int = 40
    name: str = ""
    login: str = ""
    id_number: str | None = None
    birth: dt.date | None = None
    education: str | None = None
    status_since: dt.date | None = None
    is_admin: bool = False
    duties: list = field(default_factory=list)
    in_charge: list = field(default_factory=list)
    deputy_head: bool = False
    id: str = field(default_factory=new_id)

    @property
    def topic(self) -> str:
        sec = self.section or (self.in_charge[0] if self.in_charge else None)
        return sec.topic if sec else "office"
