"""CLI commands of the review chain: review, settings, audit, charge, and log recall/amend."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from app.core.errors import AppError
from app.cli.auth import ADMIN, PERSON, acts_as
from app.cli.common import open_db, print_json
from app.services.org import audit, settings_change, structure as org, unit_settings
from app.services.org.delegation import set_delegation
from app.services.review import queue as review


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def add_parsers(sub) -> None:
    def cmd(parent, name, help_text, who):
        sp = acts_as(parent.add_parser(name, help=help_text, description=help_text), who)
        sp.add_argument("--db", type=Path, required=True, help="数据库文件")
        return sp

    review = sub.add_parser("review", help="履职审阅").add_subparsers(dest="review_command",
                                                                    metavar="ACTION")
    review.required = True
    sp = cmd(review, "list", "列出待我审阅的日志（按日期，最早在前）", PERSON)
    sp.add_argument("--user", required=True, help="审阅人登录名（须输入本人的密码）")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--date", type=parse_date, help="只看该日期的日志")
    for name, what in (("approve", "同意（可带批阅意见）"), ("return", "退回（须写理由）")):
        sp = cmd(review, name, what, PERSON)
        sp.add_argument("--user", required=True, help="审阅人登录名（须输入本人的密码）")
        sp.add_argument("--author", help="日志作者登录名")
        sp.add_argument("--date", type=parse_date, help="日志日期")
        if name == "approve":
            sp.add_argument("--all-unflagged", action="store_true", help="同意全部无辅助审核提示的日志")
            sp.add_argument("--comment", default="")
        else:
            sp.add_argument("--reason", required=True)
    sp = cmd(review, "delegate", "设置代审（本人外出期间由他人代为审阅）", PERSON)
    sp.add_argument("--user", required=True, help="审阅人登录名（须输入本人的密码）")
    sp.add_argument("--to", required=True, help="代审人登录名")
    sp.add_argument("--start", type=parse_date, required=True)
    sp.add_argument("--end", type=parse_date, required=True)

    settings = sub.add_parser("settings", help="单位设置").add_subparsers(dest="settings_command",
                                                                       metavar="ACTION")
    settings.required = True
    sp = cmd(settings, "set", "修改设置，如 review.levels 2", ADMIN)
    sp.add_argument("key")
    sp.add_argument("value")
    sp = cmd(settings, "get", "查看设置（不写名称则列出全部）", ADMIN)
    sp.add_argument("key", nargs="?")

    sp = acts_as(sub.add_parser("charge", help="设置分管领导分管的科室"), ADMIN)
    sp.add_argument("--db", type=Path, required=True)
    sp.add_argument("--deputy", required=True, help="分管领导登录名")
    sp.add_argument("--sections", required=True, help="科室名称，多个用、或逗号分隔")

    audit = sub.add_parser("audit", help="审计记录").add_subparsers(dest="audit_command",
                                                                  metavar="ACTION")
    audit.required = True
    cmd(audit, "verify", "校验审计记录哈希链，报告第一处断链", ADMIN)


def cmd_review(a) -> int:
    db = open_db(a.db)
    actor = a.actor          # the --user, logged in with their own password (app.cli.auth)
    if a.review_command == "list":
        items = review.queue(db, actor, flt=review.QueueFilter(start=a.date, end=a.date))
        data = [{"author": i.author_login, "name": i.author_name, "section": i.section,
                 "date": i.day.isoformat(), "level": i.level, "levels": i.chain_len,
                 "total_hours": i.total_hours, "week_hours": i.week_hours,
                 "on_behalf_of": i.on_behalf_of,
                 "flags": [{"code": f.code, "reason": f.reason, "entry": f.entry_seq} for f in i.flags],
                 "entries": [{"hours": e.hours, "category": e.category, "secret": e.secret,
                              "duty": i.duty_labels.get(e.duty_id), "content": e.content}
                             for e in i.entries]} for i in items]
        if a.json:
            print_json(data)
        else:
            print(f"待审 {len(items)} 篇（其中有提示 {sum(1 for i in items if i.flagged)} 篇）")
            for i in items:
                flags = "；".join(f.reason for f in i.flags)
                print(f"  {i.day} {i.author_login} {i.author_name} {i.section} "
                      f"{i.total_hours:g}小时 第{i.level}/{i.chain_len}级" + (f" ⚠ {flags}" if flags else ""))
        return 0
    if a.review_command == "delegate":
        set_delegation(db, actor, a.to, a.start, a.end)
        print(f"已设置：{a.start}至{a.end}由 {a.to} 代为审阅")
        return 0
    if a.review_command == "approve" and a.all_unflagged:
        decisions = review.approve_all_unflagged(db, actor, comment=a.comment)
        print(f"已同意 {len(decisions)} 篇无提示的日志（其中终审 {sum(d.final for d in decisions)} 篇）")
        return 0
    if not (a.author and a.date):
        raise AppError("请用 --author 和 --date 指明日志" + ("，或用 --all-unflagged" if a.review_command == "approve" else ""))
    log_id = review.find_log(db, a.author, a.date)
    if a.review_command == "approve":
        d = review.approve(db, actor, log_id, a.comment)
        print(f"已同意 {a.author} {a.date} 的日志" + ("（终审，已锁定并公开）" if d.final else "，转下一级审阅"))
    else:
        review.return_log(db, actor, log_id, a.reason)
        print(f"已退回 {a.author} {a.date} 的日志：{a.reason}")
    return 0


def cmd_settings(a) -> int:
    db = open_db(a.db)
    if a.settings_command == "set":
        value = settings_change.set_value(db, a.actor, a.key, a.value)
        print(f"{a.key} = {value}")
        return 0
    values = unit_settings.all_values(db)
    if a.key:
        if a.key not in values:
            unit_settings.parse(a.key, "0", bureau=db.edition == "bureau")  # the Chinese "unknown key" message
        print(values[a.key])
        return 0
    for key, value in values.items():
        spec = unit_settings.SPECS.get(key) or unit_settings.BUREAU_SPECS[key]
        print(f"{key} = {value}    # {spec.label}")
    return 0


def cmd_charge(a) -> int:
    db = open_db(a.db)
    names = [n.strip() for n in a.sections.replace("，", ",").replace("、", ",").split(",") if n.strip()]
    org.set_section_charges(db, a.actor, a.deputy, names)
    print(f"{a.deputy} 分管：{'、'.join(names) or '（无）'}")
    return 0


def cmd_audit(a) -> int:
    report = audit.verify(open_db(a.db))
    print(report.summary())
    return 0 if report.ok else 1


COMMANDS = {"review": cmd_review, "settings": cmd_settings, "charge": cmd_charge,
            "audit": cmd_audit}
