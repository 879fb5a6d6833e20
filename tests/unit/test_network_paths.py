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
