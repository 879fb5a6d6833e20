"""`lzkp --self-test`: a headless smoke test of an installed program or a fresh bundle.

It exercises what a PyInstaller bundle most often gets wrong (data files such as the Alembic
migrations and fonts, compiled bindings such as argon2 and cryptography, lazily imported modules)
inside a temporary folder, never the user's data. No Qt: it must run on a machine without a display.
Exit code 0 when every step passes, 1 otherwise.
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, TextIO

from app import APP_NAME, __version__
from app.core import vocab
from app.core.logrules import EntryDraft
from app.db.migrate import current_revision, head_revision
from app.services.county.import_pool import worker_pid
from app.services.logs import daily as logs
from app.services.org import accounts
from app.services.org.actor import SYSTEM
from app.services.org.setup import UnitSetup, initialise_unit, open_database, unit_of
from app.sync import container
from app.sync.keys import generate
from app.sync.payload import ChangeWriter, read_payload, write_payload

CREDIT_CODE = "11371321MB28510360"          # valid per GB 32100
PASSWORD = "zice2025ok"
NAME_TEXT = "堃喆昇赟玥〇"                  # rare characters used in names
PDF_LINE = f"自检：张{NAME_TEXT[0]}、李{NAME_TEXT[1]}、王{NAME_TEXT[2]}、赵{NAME_TEXT[3]}、" \
           f"钱{NAME_TEXT[4]}，二{NAME_TEXT[5]}二五年履职考评。"
QT_MODULES = ("PySide6", "pyqtgraph")
LOG_TEXT = "牵头召开食品安全专项检查部署会，形成会议纪要（张堃、李喆参会）。"


class _Context:
    """State passed from one step to the next."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.db = None
        self.actor = None
        self.fonts = None
        # Qt modules a host process (e.g. pytest-qt) loaded before the self-test started.
        self.preloaded = {m for m in QT_MODULES if m in sys.modules}


def _step_database(ctx: _Context) -> str:
    ctx.db = open_database(ctx.folder / "selftest.sqlite", create=True)
    head = head_revision()
    current = current_revision(ctx.db.engine)
    if current != head:
        raise RuntimeError(f"数据库版本 {current} 与程序版本 {head} 不一致")
    return f"数据库版本 {head}"


def _step_unit(ctx: _Context) -> str:
    initialise_unit(ctx.db, UnitSetup("自检县市场监督管理局", CREDIT_CODE,
                                      staffing_quotas={"行政编制": 10}, leader_posts={"正职": 1}))
    unit = unit_of(ctx.db)
    if unit.name != "自检县市场监督管理局":
        raise RuntimeError(f"单位名称读回不一致：{unit.name}")
    return unit.name


def _step_account(ctx: _Context) -> str:
    accounts.add_user(ctx.db, SYSTEM, accounts.NewUser("zice", f"张{NAME_TEXT[0]}", PASSWORD,
                                                       must_change=False))
    ctx.actor = accounts.login(ctx.db, "zice", PASSWORD)
    try:
        accounts.login(ctx.db, "zice", PASSWORD + "x")
    except accounts.LoginFailed:
        pass
    else:
        raise RuntimeError("错误的密码竟然登录成功")
    return f"账号 zice（{ctx.actor.name}），argon2id 密码校验正常"


def _step_log(ctx: _Context) -> str:
    day = dt.date.today() - dt.timedelta(days=1)
    category = vocab.COMMON_CATEGORIES[0][0]
    logs.save_day(ctx.db, ctx.actor, day, vocab.DAY_NORMAL,
                  [EntryDraft(hours=2.5, category=category, content=LOG_TEXT)], submit=True)
    back = logs.load_day(ctx.db, ctx.actor, day)
    if len(back.entries) != 1 or back.entries[0].content != LOG_TEXT:
        raise RuntimeError(f"日志读回不一致：{[e.content for e in back.entries]}")
    if back.state != vocab.LOG_SUBMITTED or abs(back.total_hours - 2.5) > 1e-9:
        raise RuntimeError(f"日志状态或工时不正确：{back.state}，{back.total_hours}")
    return f"{day.isoformat()} 1条，{back.total_hours:g}小时，{back.state_label}"


def _step_fonts(ctx: _Context) -> str:
    # imported here: reportlab (~0.2 s), only when a report is written
    from app.reports.typeset.fonts import missing_glyphs, register_fonts
    ctx.fonts = register_fonts(use_system=False)   # the bundled fonts, whatever the machine has
    missing = missing_glyphs(ctx.fonts.fangsong, PDF_LINE + LOG_TEXT)
    if missing:
        raise RuntimeError(f"内置字体缺少字形：{''.join(missing)}")
    files = sorted({p.name for p in ctx.fonts.files.values()})
    return f"内置字体 {'、'.join(files)} 含“{NAME_TEXT}”"


def _step_pdf(ctx: _Context) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    path = ctx.folder / "自检.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setTitle("履职考评自检")
    c.setFont(ctx.fonts.fangsong, 15.79)   # GB/T 9704 三号
    c.drawString(28 * mm, A4[1] - 37 * mm, PDF_LINE)
    c.showPage()
    c.save()
    data = path.read_bytes()
    if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
        raise RuntimeError("PDF 文件不完整或未嵌入字体")
    return f"{path.name}，{len(data) // 1024} KB，已嵌入字体"


_SM2_NAMES = {"fast": "GmSSL", "pure": "纯 Python", "openssl": "OpenSSL"}


def _step_crypto(ctx: _Context) -> str:
    """Real sync packages in both suites: signed, encrypted to a second key pair, zstd inside,
    read back; and the SM2 backend in use (gmssl-fast where it has a wheel, else pure Python)."""
    from app.core import gm
    sender, recipient = generate(), generate()
    changes = ChangeWriter()
    changes.add("entry_text", ["id", "content"], [("selftest", LOG_TEXT)])
    for suite in (container.X25519ChaChaSuite.name, container.Sm2Sm4Suite.name):
        path = ctx.folder / f"自检-{suite}.lzkp"
        container.write_package(path, {"kind": "selftest"},
                                write_payload({"kind": "selftest"}, changes, []),
                                sign_key=sender, recipient=recipient.public_with_sm2(), suite=suite)
        opened = container.read_header(path)
        container.verify(opened, sender.public())
        rows = [row for what, item in read_payload(container.open_payload(opened, recipient))
                if what == "rows" for row in item]
        if rows != [["entry_text", "selftest", LOG_TEXT]]:
            raise RuntimeError(f"同步包（{suite}）读回不一致：{rows!r:.60}")
    return ("同步包读写正常：Ed25519 签名、X25519+ChaCha20-Poly1305 加密；国密 SM2 签名与加密、"
            f"SM4-GCM、SM3（SM2 实现：{_SM2_NAMES[gm.backend().name]}，验签："
            f"{_SM2_NAMES[gm.verifier().name]}）；zstd 压缩")


def _step_workers(ctx: _Context) -> str:
    """A worker process starts and imports the sync code, as a folder import's workers do (in
    the bundle this needs multiprocessing.freeze_support() in app/__main__.py)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        pid = pool.submit(worker_pid).result(timeout=120)
    if pid == os.getpid():
        raise RuntimeError("工作进程未能单独启动")
    return f"工作进程 {pid} 启动正常"


def _step_excel(ctx: _Context) -> str:
    from openpyxl import Workbook, load_workbook

    from app.reports.xlsx_safe import save_workbook
    path = ctx.folder / "自检.xlsx"
    wb = Workbook()
    wb.active.append(["姓名", "工时"])
    wb.active.append([f"钱{NAME_TEXT[4]}", 2.5])
    save_workbook(wb, path)
    value = load_workbook(path, read_only=True).active["A2"].value
    if value != f"钱{NAME_TEXT[4]}":
        raise RuntimeError(f"Excel 读回不一致：{value}")
    return path.name


def _step_headless(ctx: _Context) -> str:
    loaded = sorted(m for m in QT_MODULES if m in sys.modules and m not in ctx.preloaded)
    if loaded:
        raise RuntimeError(f"无界面功能不应加载 {'、'.join(loaded)}")
    return "未加载 PySide6/pyqtgraph"


STEPS: list[tuple[str, Callable[[_Context], str]]] = [
    ("创建数据库并升级到最新版本", _step_database),
    ("初始化单位", _step_unit),
    ("添加账号并登录", _step_account),
    ("保存并读回中文日志", _step_log),
    ("检查中文字体字形", _step_fonts),
    ("生成中文PDF", _step_pdf),
    ("签名与加密", _step_crypto),
    ("启动导入工作进程", _step_workers),
    ("写读Excel", _step_excel),
    ("无界面运行", _step_headless),
]


def run_self_test(out: TextIO | None = None) -> int:
    """Run every step in a temporary folder; print a Chinese report. 0 = all passed."""
    out = out or sys.stdout

    def say(text: str) -> None:
        if out is not None:   # a windowed Windows exe has no stdout
            print(text, file=out, flush=True)

    frozen = "（安装包）" if getattr(sys, "frozen", False) else "（源码）"
    say(f"{APP_NAME} {__version__} 自检{frozen}：Python {platform.python_version()}，"
        f"{platform.system()} {platform.machine()}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lzkp-selftest-", ignore_cleanup_errors=True) as tmp:
        ctx = _Context(Path(tmp))
        try:
            for n, (title, step) in enumerate(STEPS, start=1):
                t0 = time.perf_counter()
                try:
                    detail = step(ctx)
                except Exception as exc:
                    say(f"  [{n}/{len(STEPS)}] {title} …… 失败：{exc}")
                    say(traceback.format_exc().rstrip())
                    say("自检未通过")
                    return 1
                say(f"  [{n}/{len(STEPS)}] {title} …… 通过（{detail}，"
                    f"{time.perf_counter() - t0:.2f} 秒）")
        finally:
            if ctx.db is not None:
                ctx.db.dispose()   # Windows cannot delete an open SQLite file
    say(f"自检通过（共 {len(STEPS)} 项，用时 {time.perf_counter() - started:.2f} 秒）")
    return 0
