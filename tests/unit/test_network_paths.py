"""Which mounts count as network shares (no WAL there; issue 16): the ones UOS/Kylin use included."""
from __future__ import annotations

import pytest

from app.db.engine import _NETWORK_FS, mount_type

MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
/dev/sda3 /home ext4 rw,relatime 0 0
//fs01/share /mnt/share cifs rw,vers=3.0 0 0
/dev/sdb1 /mnt/share2 vfat rw 0 0
gvfsd-fuse /run/user/1000/gvfs fuse.gvfsd-fuse rw,nosuid,nodev 0 0
smbnetfs /home/wang/smb fuse.smbnetfs rw 0 0
/dev/sdc1 /media/wang/U\\040盘 vfat rw 0 0
"""


@pytest.mark.parametrize("path, fstype, network", [
    ("/home/wang/履职考评/unit.sqlite", "ext4", False),
    ("/mnt/share/unit.sqlite", "cifs", True),
    ("/mnt/share2/unit.sqlite", "vfat", False),          # not inside /mnt/share for sharing a prefix
    ("/run/user/1000/gvfs/smb-share:server=fs01,share=data/unit.sqlite", "fuse.gvfsd-fuse", True),
    ("/home/wang/smb/FS01/data/unit.sqlite", "fuse.smbnetfs", True),
    ("/media/wang/U 盘/unit.sqlite", "vfat", False),
    ("/unit.sqlite", "ext4", False),
])
def test_mount_type_finds_the_mount_holding_the_file(path, fstype, network):
    assert mount_type(path, MOUNTS) == fstype
    assert (fstype in _NETWORK_FS) is network


def share_at(monkeypatch, folder) -> None:
    """The mount table as it reads with a Windows share mounted (cifs) at `folder`."""
    from app.db import engine
    text = MOUNTS + f"//fs01/lzkp {folder.resolve()} cifs rw,vers=3.0 0 0\n"
    monkeypatch.setattr(engine, "read_mounts", lambda: text)


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_database_on_a_share_is_refused_untouched(monkeypatch, unit_db, tmp_path):
    from app.core.errors import NetworkDatabase
    from app.services.org.setup import open_database
    path = unit_db.path
    unit_db.dispose()
    before = _files(tmp_path)
    share_at(monkeypatch, tmp_path)
    with pytest.raises(NetworkDatabase) as caught:
        open_database(path)
    text = str(caught.value)
    assert str(path) in text and "本机磁盘" in text and "交换文件夹" in text
    assert "数据交换" in text and "多台电脑共用" in text and "该文件未被改动" in text
    with pytest.raises(NetworkDatabase):
        open_database(tmp_path / "new.sqlite", create=True)
    assert _files(tmp_path) == before                     # no byte changed, no -wal, no new file


def test_the_command_line_refuses_it_too(monkeypatch, unit_db, tmp_path, capsys):
    from app.cli import main
    path = unit_db.path
    unit_db.dispose()
    share_at(monkeypatch, tmp_path)
    assert main(["pcs", "status", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：数据库文件位于网络共享文件夹中") and "交换文件夹" in err


def test_a_local_folder_beside_a_share_opens(monkeypatch, unit_db, tmp_path):
    from app.services.org.setup import open_database
    path = unit_db.path
    unit_db.dispose()
    share_at(monkeypatch, tmp_path / "elsewhere")
    open_database(path).dispose()
