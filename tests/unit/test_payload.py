"""The package payload (app.sync.payload): rows come back as written, whichever JSON parser
reads them (orjson where it has a wheel, the stdlib elsewhere), and a malformed change line is
refused as a whole."""
from __future__ import annotations

import hashlib
import json

import pytest

from app.sync import payload
from app.sync.payload import ChangeWriter, PayloadError, read_payload, write_payload

ROWS = {
    "entry_text": [("t1", "检查辖区超市食品经营情况，发现问题3处\n“整改”已落实"), ("t2", "")],
    "log_entry": [("e1", 7.5, 202611, True, None), ("e2", 0.33, 202611, False, "D-01")],
}


def packed(tmp_path) -> bytes:
    writer = ChangeWriter()
    writer.add("entry_text", ["id", "content"], ROWS["entry_text"])
    writer.add("log_entry", ["id", "hours", "month", "deleted", "duty"], ROWS["log_entry"])
    attachment = tmp_path / "a.bin"
    attachment.write_bytes(b"\x00\x01scan")
    sha = hashlib.sha256(attachment.read_bytes()).hexdigest()
    return b"".join(write_payload({"kind": "report"}, writer, [(sha, attachment)])), sha


@pytest.mark.parametrize("parser", ["default", "stdlib"])
def test_rows_and_files_come_back_as_written(tmp_path, monkeypatch, parser):
    if parser == "stdlib":
        monkeypatch.setattr(payload, "_parse", json.loads)
    data, sha = packed(tmp_path)
    items = list(read_payload(iter([data[i:i + 7] for i in range(0, len(data), 7)])))
    assert items[0][0] == "manifest" and items[0][1]["counts"] == {"entry_text": 2, "log_entry": 2}
    rows = [row for what, item in items if what == "rows" for row in item]
    assert rows == [[table, *row] for table in ROWS for row in map(list, ROWS[table])]
    assert items[-1] == ("file", (sha, b"\x00\x01scan"))


@pytest.mark.parametrize("line", ['"not a row"', "[]", "[1, 2]", "{}", '["entry_text", 1'])
def test_a_malformed_change_line_is_refused(monkeypatch, line):
    good = payload._ENCODE
    writer = ChangeWriter()
    writer.add("entry_text", ["id", "content"], [("t1", "正常的一行")])
    monkeypatch.setattr(payload, "_ENCODE", lambda row: line)    # a sender writing nonsense
    writer.add("entry_text", ["id", "content"], [("t2", "x")])
    monkeypatch.setattr(payload, "_ENCODE", good)
    data = b"".join(write_payload({"kind": "report"}, writer, []))
    with pytest.raises(PayloadError, match="格式错误|损坏"):
        list(read_payload(iter([data])))
