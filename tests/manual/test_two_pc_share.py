"""The two-PC run over a real loopback Samba share, as a test: only with LZKP_SAMBA=1, as root,
with samba, smbclient and smbnetfs installed (tests/manual is outside the default test paths,
and .ci/run does not install samba). A shorter run than the documented 60 s:

    LZKP_SAMBA=1 PYTHONPATH=. .venv/bin/python -m pytest -p no:cacheprovider tests/manual -q
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samba_share import missing   # noqa: E402


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("LZKP_SAMBA") != "1", reason="需要 LZKP_SAMBA=1（真实 Samba 共享）")
def test_two_pcs_over_a_real_share_converge_and_survive_a_killed_writer(tmp_path):
    reason = missing()
    if reason:
        pytest.skip(reason)
    import two_pc_share
    result = tmp_path / "result.json"
    assert two_pc_share.main(["--seconds", os.environ.get("LZKP_SAMBA_SECONDS", "40"),
                              "--json", str(result)]) == 0, result.read_text(encoding="utf-8")
