"""The headless self-test that `lzkp --self-test` runs (also inside the PyInstaller bundle)."""
from __future__ import annotations

import io
import subprocess
import sys

from app.selftest import STEPS, run_self_test


def test_self_test_passes_and_reports_in_chinese():
    out = io.StringIO()
    assert run_self_test(out) == 0
    text = out.getvalue()
    assert text.count(" …… 通过（") == len(STEPS)
    assert text.rstrip().splitlines()[-1].startswith("自检通过")


def test_self_test_reports_a_failing_step(monkeypatch):
    def broken(ctx):
        raise RuntimeError("模拟故障")
    monkeypatch.setattr("app.selftest.STEPS", [STEPS[0], ("模拟步骤", broken)])
    out = io.StringIO()
    assert run_self_test(out) == 1
    assert "模拟步骤 …… 失败：模拟故障" in out.getvalue()
    assert "自检未通过" in out.getvalue()


def test_command_line_self_test_runs_without_qt():
    # A fresh interpreter: nothing imported by other tests can hide a Qt import.
    proc = subprocess.run([sys.executable, "-m", "app", "--self-test"], capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "未加载 PySide6/pyqtgraph" in proc.stdout
