"""The import preview speaks of tables by their Chinese names (it showed "rectification"), and
tells rows it already has in the very same version (相同，跳过) from rows this computer holds in a
later version (it called both 已有较新版本)."""
from __future__ import annotations

from app.core.table_names import TABLE_NAMES
from app.db.models import synced_models
from app.services.exchange import packages as P
from app.ui.dialogs.import_preview_dialog import details_html
from tests.unit.sync_fixtures import DAYS, write_log
from tests.unit.test_sync_flow import _template, world  # noqa: F401  (fixtures)


def test_every_synced_table_has_a_chinese_name():
    missing = {m.__tablename__ for m in synced_models()} - set(TABLE_NAMES)
    assert not missing
    assert TABLE_NAMES["rectification"] == "整改情况"


def test_rows_already_here_are_the_same_not_newer(world):  # noqa: F811
    a = world.units["a"]
    one = world.report("a")
    write_log(a, "zs", DAYS[3], "检查农贸市场计量器具20台")
    two = world.report("a")        # not acknowledged: 2 carries package 1's rows again
    assert world.receive(one)[0].status == P.IMPORTED
    [preview] = world.receive(two, apply=False)
    logs = preview.plan.counts["work_log"]
    assert logs.new + logs.changed >= 1 and logs.same > 0 and logs.stale == 0
    text = details_html(preview)
    assert "相同，跳过" in text and "<td>工作日志</td>" in text
    assert "work_log" not in text and "<td>person</td>" not in text
