"""The two Excel import templates: 人员名册 (roster) and 三定职责 (duties).

The sheet layouts defined here are the contract with the importers (roster_import, duties_import):
sheet titles, column names, drop-down choices and the example row 2 that an import ignores when
the user leaves it unchanged.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.core import task_types, vocab
from app.core.errors import AppError
from app.core.validators import make_id_number
from app.reports.xlsx_safe import save_workbook
from app.services.excel.common import Column, SheetLayout

EXAMPLE_ID_NUMBER = make_id_number("371321", dt.date(1985, 3, 4), 123, male=True)
EXAMPLE_LOGIN = "zhangsan"
EXAMPLE_SECTION = "办公室"
EXAMPLE_DUTY_CODE = "1"

SECTIONS = SheetLayout("内设机构", (
    Column("科室名称", 22, True, example=EXAMPLE_SECTION,
           note="内设机构（科室）的名称，不可重复。再次导入时按名称匹配：已有的科室更新概述，没有的新增。"),
    Column("科室职责概述", 70, example="负责机关日常运转，承担文电、会务、机要、档案、督查、信息公开等工作。",
           note="该科室的主要职责，可简写；留空则清空已有概述。"),
))

DUTIES = SheetLayout("部门职责", (
    Column("职责编号", 10, True, text=True, example=EXAMPLE_DUTY_CODE,
           note="“三定”规定中主要职责的编号，如 1、2、3 或 ZZ01，不可重复。再次导入时按编号更新。"),
    Column("职责内容", 80, True,
           example="贯彻执行国家关于市场监督管理工作的方针政策和法律法规，组织实施质量强县战略。",
           note="职责条文原文。"),
    Column("职能类别", 10, True, choices=vocab.DUTY_CLASSES, example=vocab.DUTY_CORE,
           note="核心、一般或辅助（从下拉列表选择）。"),
    Column("承担科室", 30, example=EXAMPLE_SECTION,
           note="承担该职责的科室，多个用顿号“、”分隔；须是「内设机构」表或系统中已有的科室。"
                "导入后该职责的承担科室与此处填写的完全一致。"),
    Column("任务类型", 16, choices=task_types.TASK_TYPES, added=True, example=task_types.BUSINESS,
           note="业务工作、党建工作、财务和组织人事工作、信访投诉或综合性工作（从下拉列表选择），用于按任务类型统计。"
                "可不填：新职责按职责内容推定，已有职责保持原任务类型。"),
))

ROSTER = SheetLayout("人员名册", (
    Column("姓名", 10, True, example="张三"),
    Column("身份证号", 21, True, text=True, example=EXAMPLE_ID_NUMBER,
           note="18位公民身份号码，末位X大写。请保持本列为文本格式，以免Excel把号码变成科学计数法。"),
    Column("性别", 6, choices=vocab.GENDERS, example="男",
           note="可不填，按身份证号自动识别；填写时须与身份证号一致。"),
    Column("出生日期", 12, text=True, example="1985-03-04",
           note="可不填，按身份证号自动识别；填写时须与身份证号一致。格式如 1985-03-04、1985/3/4 或 19850304。"),
    Column("学历", 12, choices=vocab.EDUCATIONS, example="大学本科", note="从下拉列表选择，可不填。"),
    Column("科室", 16, example=EXAMPLE_SECTION,
           note="所在科室，须是系统中已有的科室（先导入三定职责）。主要领导、分管领导可不填。"),
    Column("职务", 14, example="一级科员", note="职务或职级，可不填。"),
    Column("编制类型", 14, True, choices=vocab.STAFFING_TYPES, example="行政编制"),
    Column("角色", 12, True, choices=vocab.ROLES, example=vocab.ROLE_STAFF,
           note="决定审阅关系：科室人员→科室负责人→分管领导→主要领导。"),
    Column("登录名", 14, True, text=True, example=EXAMPLE_LOGIN,
           note="登录本系统用的账号，建议用姓名拼音，不可重复、不含空格。再次导入时按登录名更新人员信息。"),
    Column("人员状态", 10, choices=vocab.PERSON_STATUSES, example="在职", note="不填视为在职。"),
    Column("状态起始日期", 14, text=True, added=True, example="2021-07-01",
           note="借调等状态的开始日期（如借调自哪天起），用于统计借调时长；格式同出生日期，可不填。"
                "没有本列的旧模板文件仍可导入（不改动已有的起始日期）。"),
))

POSTS = SheetLayout("岗位职责", (
    Column("登录名", 14, True, text=True, example=EXAMPLE_LOGIN,
           note="「人员名册」表或系统中已有人员的登录名。同一人可分多行填写。"),
    Column("职责编号", 16, text=True, example="1、2",
           note="该岗位承担的部门职责编号，多个用顿号“、”分隔；须是系统中已有的职责（先导入三定职责）。"
                "导入后此人的岗位职责与本表填写的完全一致；只写登录名、职责编号留空表示清除其岗位职责。"),
    Column("岗位职责说明", 60, example="负责机关公文运转、会务保障和档案管理。",
           note="对岗位职责的具体说明，可不填。"),
))

LAYOUTS = {"roster": (ROSTER, POSTS), "duties": (SECTIONS, DUTIES)}

_GUIDE = {
    "roster": ("人员名册导入模板 填写说明", [
        "1. 本文件有「人员名册」和「岗位职责」两个工作表，请勿修改工作表名称和第1行表头。",
        "2. 第2行为示例（灰色斜体），可直接覆盖；保持原样时导入会自动忽略。",
        "3. 表头为橙色的列必填；带下拉箭头的列请从列表中选择。",
        "4. 科室、职责编号须在系统中已存在，请先导入「三定职责」模板。",
        "5. 导入时逐行检查（身份证号校验位、性别和出生日期与身份证号一致、必填项、重复的登录名"
        "和身份证号等）。有任何错误则全部不导入，并列出每处错误所在的工作表、行和列。",
        "6. 再次导入修改后的文件时，按登录名更新已有人员（表中留空的学历、职务等将被清空），不会重复创建。",
        "7. 新账号的初始密码由程序随机生成，导入后由管理员打印“初始密码单”发给本人；首次登录须修改密码。",
    ]),
    "duties": ("三定职责导入模板 填写说明", [
        "1. 本文件有「内设机构」和「部门职责」两个工作表，请勿修改工作表名称和第1行表头。",
        "2. 第2行为示例（灰色斜体），可直接覆盖；保持原样时导入会自动忽略。",
        "3. 表头为橙色的列必填；「职能类别」请从下拉列表选择核心、一般或辅助。",
        "4. 「承担科室」可填多个科室，用顿号“、”分隔，须在「内设机构」表或系统中已有。",
        "5. 有任何错误则全部不导入，并列出每处错误所在的工作表、行和列。",
        "6. 再次导入时按科室名称、职责编号更新已有数据，不会重复创建；每条职责的承担科室"
        "以本次文件为准。",
        "7. 「任务类型」（业务工作、党建工作、财务和组织人事工作、信访投诉、综合性工作）用于按任务类型统计，"
        "可不填：新职责按职责内容和职能类别推定，已有职责保持原任务类型；也可在“单位管理 → 三定职责”中修改。",
    ]),
}


def write_template(kind: str, path: Path) -> None:
    """Write the import template `kind` ('roster' or 'duties') to `path` (.xlsx)."""
    from openpyxl import Workbook
    if kind not in LAYOUTS:
        raise AppError(f"未知的模板类型“{kind}”（可选：roster 人员名册，duties 三定职责）")
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for layout in LAYOUTS[kind]:
        _write_sheet(wb.create_sheet(layout.title), layout)
    _write_guide(wb.create_sheet("填写说明"), kind)
    wb.active = 0
    try:
        save_workbook(wb, path)
    except OSError as exc:
        raise AppError(f"无法保存模板到“{path}”：{exc.strerror or exc}"
                       "（文件是否正在Excel中打开？）") from None


_HEADER_FILL = "DDEBF7"       # light blue
_REQUIRED_FILL = "FCE4D6"     # light orange: required columns
_BORDER_COLOR = "9BB7D4"


def _write_sheet(ws, layout: SheetLayout) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    side = Side(style="thin", color=_BORDER_COLOR)
    border = Border(left=side, right=side, top=side, bottom=side)
    for i, col in enumerate(layout.columns, start=1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i, value=col.name)
        head.font = Font(bold=True, size=11)
        head.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL)
        head.alignment = Alignment(horizontal="center", vertical="center")
        head.border = border
        note = ("必填。" if col.required else "选填。") + col.note
        if col.choices:
            note += f"\n可选：{'、'.join(col.choices)}"
        comment = Comment(note, "履职考评")
        comment.width, comment.height = 260, 120
        head.comment = comment
        ws.column_dimensions[letter].width = col.width
        if col.text:
            ws.column_dimensions[letter].number_format = "@"
        example = ws.cell(row=2, column=i, value=col.example)
        example.font = Font(italic=True, color="808080")
        example.alignment = Alignment(vertical="center", wrap_text=col.width >= 40)
        if col.text:
            example.number_format = "@"
        if col.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"',
                                allow_blank=True, showDropDown=False)
            dv.error, dv.errorTitle = f"请从下拉列表中选择：{'、'.join(col.choices)}", "输入有误"
            dv.prompt, dv.promptTitle = "请从下拉列表中选择", col.name
            dv.showErrorMessage = dv.showInputMessage = True
            dv.add(f"{letter}2:{letter}1048576")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 22
    ws.freeze_panes = "A2"
    ws.sheet_view.zoomScale = 110


def _write_guide(ws, kind: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    title, lines = _GUIDE[kind]
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 90
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    row = 3
    for line in lines:
        cell = ws.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=False, vertical="top")
        row += 1
    row += 1
    for i, text in enumerate(("工作表 / 列", "是否必填", "说明"), start=1):
        cell = ws.cell(row=row, column=i, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for layout in LAYOUTS[kind]:
        row += 1
        ws.cell(row=row, column=1, value=f"「{layout.title}」").font = Font(bold=True)
        for col in layout.columns:
            row += 1
            ws.cell(row=row, column=1, value=col.name)
            ws.cell(row=row, column=2, value="必填" if col.required else "选填")
            text = col.note + (f" 可选：{'、'.join(col.choices)}。" if col.choices else "")
            cell = ws.cell(row=row, column=3, value=text.strip())
            cell.alignment = Alignment(wrap_text=True, vertical="top")
