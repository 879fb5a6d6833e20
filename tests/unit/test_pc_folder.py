"""The exchange folder of a multi-PC unit: layout, whole-file writes, cards and acknowledgements."""
from __future__ import annotations

import pytest

from app.sync import container, pc_folder as F
from app.sync.keys import generate

ORIGIN = "0190a1b2-c3d4-7e5f-8a6b-1234567890ab"


def _write(folder, seq, pc, unit, body=b"rows"):
    header = {"package_id": f"p{seq}", "created_at": "2026-10-30T09:00:00"}
    return F.write_change(folder, ORIGIN, seq, header, [body], sign_key=pc, unit=unit.public())


def test_change_files_are_listed_in_seq_order_and_temp_files_are_not(tmp_path):
    pc, unit = generate(), generate()
    for seq in (2, 1, 10):
        _write(tmp_path, seq, pc, unit)
    (F.pc_dir(tmp_path, ORIGIN) / "00000011.lzkc.part").write_bytes(b"half a file")   # killed writer
    (F.pc_dir(tmp_path, ORIGIN) / "00000012.lzkc (copy)").write_bytes(b"stray")
    assert [seq for seq, _ in F.change_files(tmp_path, ORIGIN)] == [1, 2, 10]
    assert [seq for seq, _ in F.change_files(tmp_path, ORIGIN, after=2)] == [10]
    assert F.pcs(tmp_path) == [ORIGIN]
    for shared in (F.SNAPSHOTS, F.BUREAU):        # snapshots and the 编办's 下发包 are not a PC's
        (tmp_path / shared).mkdir()
    assert F.pcs(tmp_path) == [ORIGIN]


def test_a_change_file_is_signed_by_the_pc_and_opens_only_with_the_unit_key(tmp_path):
    pc, unit, stranger = generate(), generate(), generate()
    path = _write(tmp_path, 1, pc, unit, b"the rows")
    opened = container.read_header(path)
    assert opened.header["kind"] == F.KIND and opened.header["sender"] == ORIGIN
    with pytest.raises(container.PackageError):
        container.verify(opened, stranger.public())
    container.verify(opened, pc.public())
    assert b"".join(container.open_payload(opened, unit)) == b"the rows"
    with pytest.raises(container.PackageError):
        container.open_payload(opened, stranger)
    assert not list(path.parent.glob("*.part"))


def test_a_written_number_is_never_overwritten(tmp_path):
    pc, unit = generate(), generate()
    path = _write(tmp_path, 1, pc, unit, b"first")
    with pytest.raises(FileExistsError):
        _write(tmp_path, 1, pc, unit, b"second")
    container.verify(opened := container.read_header(path), pc.public())
    assert b"".join(container.open_payload(opened, unit)) == b"first"


def test_cards_admit_only_pcs_the_unit_key_signed(tmp_path):
    pc, unit, other_unit = generate(), generate(), generate()
    assert F.read_card(tmp_path, ORIGIN, unit.public()) is None
    F.write_card(tmp_path, ORIGIN, "办公室1号机", pc.public(), unit)
    card = F.read_card(tmp_path, ORIGIN, unit.public())
    assert (card.name, card.keys) == ("办公室1号机", pc.public())
    with pytest.raises(F.FolderError, match="不是本单位密钥签发"):
        F.read_card(tmp_path, ORIGIN, other_unit.public())
    # someone with write access to the share puts their own key on the card
    data = F.read_json(F.pc_dir(tmp_path, ORIGIN) / F.CARD)
    data["keys"] = generate().public().to_dict()
    F.write_json(F.pc_dir(tmp_path, ORIGIN) / F.CARD, data)
    with pytest.raises(F.FolderError):
        F.read_card(tmp_path, ORIGIN, unit.public())


def test_acknowledgements_round_trip_and_a_damaged_one_reads_as_damaged(tmp_path):
    assert F.read_ack(tmp_path, ORIGIN) == {}
    F.write_ack(tmp_path, ORIGIN, {"other": 7})
    assert F.read_ack(tmp_path, ORIGIN) == {"other": 7}
    (F.pc_dir(tmp_path, ORIGIN) / F.ACK).write_bytes(b"{\"applied\": {\"oth")
    with pytest.raises(F.FolderError, match="已损坏"):
        F.read_ack(tmp_path, ORIGIN)
