"""A loopback Samba share mounted twice through smbnetfs (FUSE), for the manual two-PC check.

    with LoopbackShare(root) as share:
        share.mounts[0], share.mounts[1]    # the same share seen by two independent SMB clients

smbd serves a local directory on 127.0.0.1:445 with its own configuration, state and password
database under `root` (nothing in /etc is touched); a samba account for the current user is made
in that private database. Each smbnetfs instance has its own HOME (~/.smb/smbnetfs.conf with
the credentials), so the two mounts are two SMB clients with separate sessions, caches and
locks — as two office PCs would be. Leaving the block unmounts both and stops smbd.

Needs root, /dev/fuse and the Debian packages samba, smbclient and smbnetfs; `missing()` says
what is missing (the caller skips with that message). Kernel cifs mounts are not used: in this
container `mount -t cifs` fails (no cifs filesystem).
"""
from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

SHARE = "exch"
PASSWORD = "lzkp-share-1"        # the throw-away samba account's password (private passdb)
TOOLS = ("smbd", "smbpasswd", "smbnetfs", "fusermount")


def missing() -> str | None:
    """Why this machine cannot run the share (None: it can)."""
    if os.name != "posix" or os.geteuid() != 0:
        return "需要以 root 运行（smbd 监听 445 端口、挂载 FUSE）"
    absent = [t for t in TOOLS if shutil.which(t) is None]
    if absent:
        return f"缺少程序 {'、'.join(absent)}（apt-get install -y samba smbclient smbnetfs）"
    if not Path("/dev/fuse").exists():
        return "没有 /dev/fuse"
    with socket.socket() as s:
        # as smbd binds: connections of a run just ended may still be in TIME_WAIT on port 445
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", 445))
        except OSError:
            return "127.0.0.1:445 已被占用（另一个 smbd 在运行？）"
    return None


def versions() -> dict[str, str]:
    def first_line(*cmd: str) -> str:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "?"
    return {"smbd": first_line("smbd", "--version"),
            "smbnetfs": first_line("dpkg-query", "-W", "-f=${Version}", "smbnetfs"),
            "fuse": first_line("fusermount", "-V"),
            "kernel": os.uname().release}


class LoopbackShare:
    def __init__(self, root: Path, clients: int = 2):
        self.root = Path(root)
        self.served = self.root / "served"            # the directory smbd shares
        self.mount_points = [self.root / f"mnt{i + 1}" for i in range(clients)]
        self.mounts = [m / "127.0.0.1" / SHARE for m in self.mount_points]   # the share in each
        self._smbd: subprocess.Popen | None = None
        self._mounted: list[Path] = []

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> "LoopbackShare":
        try:
            self._start_smbd()
            for i, point in enumerate(self.mount_points):
                self._mount(i, point)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        for point in reversed(self._mounted):
            subprocess.run(["fusermount", "-u", "-z", str(point)], capture_output=True)
        self._mounted.clear()
        if self._smbd is not None and self._smbd.poll() is None:
            # smbd forks a child per client; --no-process-group keeps them in the group we made
            os.killpg(self._smbd.pid, signal.SIGTERM)
            try:
                self._smbd.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._smbd.pid, signal.SIGKILL)
                self._smbd.wait()
        self._smbd = None

    # ------------------------------------------------------------ smbd
    def _conf(self) -> Path:
        r = self.root / "samba"
        dirs = {k: r / k for k in ("private", "lock", "state", "cache", "pid", "ncalrpc", "log")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        self.served.mkdir(parents=True, exist_ok=True)
        conf = r / "smb.conf"
        conf.write_text(f"""[global]
  workgroup = LZKP
  netbios name = LZKPLOOP
  server role = standalone server
  interfaces = 127.0.0.1
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  server min protocol = SMB2
  private dir = {dirs['private']}
  lock directory = {dirs['lock']}
  state directory = {dirs['state']}
  cache directory = {dirs['cache']}
  pid directory = {dirs['pid']}
  ncalrpc dir = {dirs['ncalrpc']}
  log file = {dirs['log']}/%m.log
  passdb backend = tdbsam:{dirs['private']}/passdb.tdb
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
[{SHARE}]
  path = {self.served}
  read only = no
  valid users = {getpass.getuser()}
""", encoding="utf-8")
        return conf

    def _start_smbd(self) -> None:
        conf = self._conf()
        subprocess.run(["smbpasswd", "-c", str(conf), "-a", "-s", getpass.getuser()],
                       input=f"{PASSWORD}\n{PASSWORD}\n", text=True, check=True, capture_output=True)
        log = open(self.root / "samba" / "log" / "smbd.out", "wb")
        self._smbd = subprocess.Popen(["smbd", "--foreground", "--no-process-group", "-s", str(conf),
                                       "--debug-stdout"], stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._smbd.poll() is not None:
                raise RuntimeError(f"smbd 启动失败，见 {log.name}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", 445)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("smbd 20 秒内没有开始监听 127.0.0.1:445")

    # ------------------------------------------------------------ smbnetfs
    def _mount(self, i: int, point: Path) -> None:
        home = self.root / f"client{i + 1}"
        smb = home / ".smb"
        smb.mkdir(parents=True, exist_ok=True)
        (smb / "smb.conf").write_text("[global]\n  client min protocol = SMB2\n  workgroup = LZKP\n")
        conf = smb / "smbnetfs.conf"
        conf.write_text(f'auth "127.0.0.1" "{getpass.getuser()}" "{PASSWORD}"\n'
                        'smb_query_browsers "false"\nshow_hidden_hosts "true"\n'
                        f'log_file "{self.root / "samba" / "log" / f"smbnetfs{i + 1}.log"}"\n')
        conf.chmod(0o600)
        point.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, HOME=str(home))
        r = subprocess.run(["smbnetfs", str(point), "-o", f"config={conf}"], env=env,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"smbnetfs 挂载失败：{r.stderr.strip()}")
        self._mounted.append(point)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.mounts[i].is_dir():
                return
            time.sleep(0.3)
        raise RuntimeError(f"挂载点 {point} 20 秒内看不到共享 {SHARE}")
