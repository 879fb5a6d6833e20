"""Review chain through the real widgets: the section head approves one log and returns another,
the author resubmits, the deputy approves, the log is locked, an amendment goes through again
and both versions show."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services.logs import daily as logs
from app.ui.dialogs import text_prompt_dialog
from app.ui.dialogs.version_dialog import VersionDialog
from app.ui.pages.log_page import LogPage
from app.ui.pages.review_page import ROLE_LOG, ReviewPage
from tests.unit.review_fixtures import DAY, TODAY, build_unit, write


def select_log(page: ReviewPage, author_login: str):
    for p in range(page.tree.topLevelItemCount()):
        parent = page.tree.topLevelItem(p)
        for c in range(parent.childCount()):
            child = parent.child(c)
            item = next(i for i in page.items if i.log_id == child.data(0, ROLE_LOG))
            if item.author_login == author_login:
                page.tree.setCurrentItem(child)
                return item
    raise AssertionError(f"{author_login} not in the queue")


def test_chain_return_resubmit_lock_and_amend(qtbot, unit_db, admin, settings, monkeypatch):
    unit = build_unit(unit_db, admin)
    write(unit, "staff1", content="检查城区超市3家，发现过期食品1批已下架")
    write(unit, "staff2", content="受理消费投诉5件，调解成功4件")
    reasons = iter(["请写明投诉涉及的商户", "更正检查家数"])
    monkeypatch.setattr(text_prompt_dialog, "ask_text", lambda *a, **k: next(reasons))
    monkeypatch.setattr("app.ui.pages.review_page.ask_text", lambda *a, **k: next(reasons))
    monkeypatch.setattr("app.ui.pages.log_page.show_error", lambda *a: (_ for _ in ()).throw(a[2]))

    head = ReviewPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(head)
    assert head.summary.text().startswith("待审 2 篇")
    select_log(head, "staff1")
    assert "刘玥" in head.detail_title.text()
    head.comment.setText("同意")
    qtbot.mouseClick(head.approve_button, Qt.MouseButton.LeftButton)
    select_log(head, "staff2")
    qtbot.mouseClick(head.return_button, Qt.MouseButton.LeftButton)
    assert head.items == []

    # The author sees the reason on the log page and resubmits.
    author_page = LogPage(unit_db, unit["staff2"], settings, today=lambda: TODAY)
    qtbot.addWidget(author_page)
    author_page.open_day(DAY)
    assert "请写明投诉涉及的商户" in author_page.banner.text() and author_page.loaded.editable
    author_page.model.entries[0].content = "受理对城区某超市的消费投诉5件，调解成功4件"
    assert author_page.save(submit=True)
    head.refresh()
    select_log(head, "staff2")
    qtbot.mouseClick(head.approve_button, Qt.MouseButton.LeftButton)

    # The deputy sees both at level 2 and approves both at once (checked rows).
    deputy = ReviewPage(unit_db, unit["dep1"], today=lambda: TODAY)
    qtbot.addWidget(deputy)
    assert {i.author_login for i in deputy.items} == {"staff1", "staff2"}
    assert all(i.level == 2 for i in deputy.items)
    for p in range(deputy.tree.topLevelItemCount()):
        parent = deputy.tree.topLevelItem(p)
        for c in range(parent.childCount()):
            parent.child(c).setCheckState(0, Qt.CheckState.Checked)
    qtbot.mouseClick(deputy.approve_button, Qt.MouseButton.LeftButton)
    assert deputy.items == []

    # Locked: the author's page is read-only and offers only an amendment.
    staff1 = LogPage(unit_db, unit["staff1"], settings, today=lambda: TODAY)
    qtbot.addWidget(staff1)
    staff1.show()
    staff1.open_day(DAY)
    assert staff1.loaded.state == "approved" and not staff1.save_button.isEnabled()
    assert staff1.amend_button.isVisible()
    monkeypatch.setattr("app.ui.dialogs.text_prompt_dialog.ask_text", lambda *a, **k: "更正检查家数")
    staff1.amend()
    assert staff1.loaded.editable and "更正检查家数" in staff1.banner.text()
    staff1.model.entries[0].content = "检查城区超市5家，发现过期食品1批已下架"
    assert staff1.save(submit=True)
    for login in ("head1", "dep1"):
        page = ReviewPage(unit_db, unit[login], today=lambda: TODAY)
        qtbot.addWidget(page)
        item = select_log(page, "staff1")
        assert item.version == 2 and item.amend_reason == "更正检查家数"
        qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    staff1.open_day(DAY)
    assert staff1.loaded.state == "approved" and staff1.history_button.isVisible()
    dialog = VersionDialog(unit_db, unit["staff1"], staff1.loaded.log_id)
    qtbot.addWidget(dialog)
    assert "3家" in dialog.findChild(type(dialog.diff), "version1").toPlainText()
    assert "5家" in dialog.findChild(type(dialog.diff), "version2").toPlainText()
    diff = dialog.diff.toPlainText()
    assert "- " in diff or "-1." in diff
    assert "3家" in diff and "5家" in diff


def test_approve_all_clean_confirms_with_the_count(qtbot, unit_db, admin, monkeypatch):
    unit = build_unit(unit_db, admin)
    write(unit, "staff1")
    write(unit, "staff2", content="开会")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    page = ReviewPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    page.approve_all_clean()
    assert "1 篇没有辅助审核提示" in asked[0] and "有提示的 1 篇不受影响" in asked[0]
    assert [i.author_login for i in page.items] == ["staff2"]
    assert logs.load_day(unit_db, unit["staff1"], DAY).pending_level == 2


def test_after_approving_the_next_log_is_selected_not_the_top_of_the_queue(qtbot, unit_db, admin):
    import datetime as dt
    unit = build_unit(unit_db, admin)
    for back in (0, 1, 2, 3):
        write(unit, "staff1", day=DAY - dt.timedelta(days=back), content=f"第{back}天的检查记录")
    page = ReviewPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    rows = [page.tree.topLevelItem(0).child(c) for c in range(page.tree.topLevelItem(0).childCount())]
    order = [r.data(0, ROLE_LOG) for r in rows]
    page.tree.setCurrentItem(rows[1])
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.current_item().log_id == order[2]          # the one that followed it
    page.tree.setCurrentItem(page.tree.topLevelItem(0).child(page.tree.topLevelItem(0).childCount() - 1))
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    assert page.current_item().log_id == order[2]          # the last one done: the one before it


def test_flags_are_listed_once_beside_the_entries(qtbot, unit_db, admin):
    unit = build_unit(unit_db, admin)
    write(unit, "staff2", content="开会")
    page = ReviewPage(unit_db, unit["head1"], today=lambda: TODAY)
    qtbot.addWidget(page)
    select_log(page, "staff2")
    row = page.tree.currentItem()
    reasons = [f.reason for f in page.current_item().flags]
    assert reasons and row.text(4) == f"{len(reasons)}项"          # the list shows how many …
    assert row.toolTip(4) == "\n".join(reasons)
    shown = page.flags.text()
    assert all(shown.count(r) == 1 for r in reasons)               # … the detail says each once
