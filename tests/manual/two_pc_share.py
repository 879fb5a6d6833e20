"""Two PCs of one unit exchanging through a REAL share: loopback Samba, mounted twice by smbnetfs.

    sudo PYTHONPATH=. .venv/bin/python tests/manual/two_pc_share.py [--seconds 60] [--kills 1] [--keep]

Run as root with the Debian packages samba, smbclient and smbnetfs (otherwise it says why and
exits 0 without doing anything). It sets up and tears down everything itself
(tests/manual/samba_share.py): smbd on 127.0.0.1 serving a temporary directory, and two smbnetfs
FUSE mounts of that share — two SMB clients whose sessions and locks are separate, as two PCs'.

1. PC 甲 (the admin's): `demo`, `pcs setup` with the exchange folder on mount 1, `pcs join-code`;
   PC 乙: `pcs join` with its replica on the local disk and the folder path on mount 2 — the
   command line, each PC with its own data folder (settings.json).
2. `mount_type()` / `is_network_path()` on both mounts, and what `init` does with a database
   file placed ON the share (refused, or which journal mode it got).
3. Two OS processes for --seconds (tests/manual/two_pc_workers.py): 甲 writes and submits logs
   and syncs through mount 1; 乙 syncs through mount 2 and approves what it sees. Half-way (or
   at --kills evenly spaced moments), 甲 is killed with SIGKILL inside a sync round and started
   again; where in the round it died is told from what it left (a .part file, a change file not
   yet recorded in its database, or nothing of this round yet).
4. Then `pcs sync` on both a few times, and the checks: both replicas' synced content identical
   (tests/unit/pc_fixtures.unit_content), PRAGMA integrity_check on both, temporary (.part)
   files left in the share, counts, submit-to-visible times. Exit 1 if a check fails.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from samba_share import LoopbackShare, missing, versions   # noqa: E402

PASSWORD = "lzkp2026"
WORKERS = Path(__file__).resolve().with_name("two_pc_workers.py")


def cli(*args, data_dir: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "LZKP_DATA_DIR": str(data_dir), "LZKP_PASSWORD": PASSWORD,
           "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    r = subprocess.run([sys.executable, "-m", "app", *map(str, args)], cwd=ROOT, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=300)
    if check and r.returncode != 0:
        raise RuntimeError(f"命令失败：{' '.join(map(str, args))}\n{r.stdout}{r.stderr}")
    return r


def worker(role: str, db: Path, data_dir: Path, events: Path, until: float, marker: Path | None = None):
    env = {**os.environ, "LZKP_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(WORKERS), role, "--db", str(db), "--events", str(events),
           "--until", str(until)] + (["--marker", str(marker)] if marker else [])
    with open(f"{events}.out", "ab") as out:       # what a worker prints (a traceback) goes here
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def read_events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def db_on_share(share_dir: Path, data_dir: Path) -> str:
    """What the program does with a unit database placed directly on the share."""
    from app.db.engine import is_network_path, mount_type
    target = share_dir / "直接放在共享盘上.sqlite"
    r = cli("init", "--db", target, "--unit-name", "共享盘测试单位", "--credit-code", "11371321MB28510360",
            "--admin", "admin", "--password", "abc12345", data_dir=data_dir, check=False)
    text = f"init 退出码 {r.returncode}：{(r.stderr or r.stdout).strip().splitlines()[-1] if (r.stderr or r.stdout).strip() else ''}"
    if target.exists():
        header = target.read_bytes()[:100]
        mode = {1: "回滚日志（DELETE，非 WAL）", 2: "WAL"}.get(header[18], f"未知({header[18]})")
        text += f"；文件已建立，日志模式：{mode}；is_network_path={is_network_path(target)}"
        wal = target.with_name(target.name + "-wal")
        text += f"；-wal 文件{'存在' if wal.exists() else '不存在'}"
        for p in (target, wal, target.with_name(target.name + "-shm"), target.with_name(target.name + "-journal")):
            p.unlink(missing_ok=True)
    else:
        text += "；没有建立数据库文件"
    del mount_type
    return text


def settle(pcs: list[tuple[Path, Path]], rounds: int = 3) -> list[str]:
    out = []
    for _ in range(rounds):
        for db, data_dir in pcs:
            r = cli("pcs", "sync", "--db", db, data_dir=data_dir)
            out.append(" / ".join(r.stdout.strip().splitlines()))
    return out


def integrity(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def content_hash(db_path: Path) -> str:
    from app.db.engine import Database
    from tests.unit.pc_fixtures import unit_content
    db = Database(db_path)
    try:
        return unit_content(db)
    finally:
        db.dispose()


def count_states(db: Path) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT w.status, count(*) FROM work_log w WHERE w.day BETWEEN '2026-09-01' "
                           "AND '2026-10-31' AND w.deleted = 0 GROUP BY w.status").fetchall()
        return dict(rows)
    finally:
        con.close()


def kill_in_round(a: subprocess.Popen, marker: Path, not_before: float,
                  writing: Path | None = None) -> dict:
    """SIGKILL the writer inside its first sync round after `not_before`: a random moment into
    it, or (`writing`: its folder as the server stores it) the moment a temporary file of a
    change file appears there."""
    delay = random.uniform(0.0, 0.1)           # a round takes ~0.1 s: import, ack or export
    while True:
        if a.poll() is not None:
            raise RuntimeError(f"甲机进程提前退出（退出码 {a.returncode}），见 {a.args[a.args.index('--events') + 1]}.out")
        if time.time() >= not_before and marker.exists():
            if writing is not None:
                if any(e.name.endswith(".lzkc.part") for e in os.scandir(writing)):
                    delay = None
                    break
                time.sleep(0.0005)
                continue
            time.sleep(delay)
            if marker.exists():                # still inside that round
                break
        time.sleep(0.005)
    os.kill(a.pid, signal.SIGKILL)
    a.wait()
    marker.unlink(missing_ok=True)
    return {"at": time.time(), "into_round_s": "写变更文件时" if delay is None else round(delay, 3)}


def run(seconds: float, work: Path, n_kills: int = 2) -> dict:
    from app.db.engine import is_network_path, mount_type
    result: dict = {"versions": versions(), "seconds": seconds}
    with LoopbackShare(work / "samba") as share:
        mounts = Path("/proc/mounts").read_text()
        result["mount_types"] = [mount_type(str(m), mounts) for m in share.mounts]
        result["network"] = [is_network_path(m) for m in share.mounts]
        a_dir, b_dir = work / "pcA", work / "pcB"
        a_db, b_db = a_dir / "本机.sqlite", b_dir / "本机.sqlite"
        a_dir.mkdir(), b_dir.mkdir()
        folder_a, folder_b = share.mounts[0] / "履职交换", share.mounts[1] / "履职交换"
        folder_a.mkdir()
        t = time.perf_counter()
        cli("demo", "--db", a_db, "--months", "1", "--force", data_dir=a_dir)
        cli("pcs", "setup", "--db", a_db, "--folder", folder_a, "--name", "甲机", "--as", "admin",
            data_dir=a_dir)
        code = re.search(r"新的加入码：(\S+?)（", cli("pcs", "join-code", "--db", a_db, "--as", "admin",
                                                    data_dir=a_dir).stdout).group(1)
        joined = cli("pcs", "join", "--db", b_db, "--folder", folder_b, "--code", code, "--name", "乙机",
                     data_dir=b_dir)
        result["setup_seconds"] = round(time.perf_counter() - t, 1)
        result["join"] = joined.stdout.strip().splitlines()
        result["db_on_share"] = db_on_share(share.mounts[0], work / "pcC")

        ev_a, ev_b, marker = work / "events-a.jsonl", work / "events-b.jsonl", work / "a.syncing"
        start = time.time()
        end_a, end_b = start + seconds, start + seconds + 20     # 乙 reviews what 甲 sent last
        b = worker("reviewer", b_db, b_dir, ev_b, end_b)
        a = worker("writer", a_db, a_dir, ev_a, end_a, marker)
        # SIGKILL 甲 inside a sync round (marker present) at evenly spaced moments, start it again
        kills = []
        for k in range(n_kills):
            # every second kill waits for a change file being written (seen on the server's disk)
            writing = share.served / "履职交换" / origin_of(a_db) if k % 2 else None
            kill = kill_in_round(a, marker, start + seconds * (k + 1) / (n_kills + 1), writing)
            kill["at_s"] = round(kill.pop("at") - start, 1)
            kill["parts"] = sorted(str(p.relative_to(share.served)) for p in share.served.rglob("*.part"))
            kill["phase"] = kill_phase(kill["parts"], a_db, share.served / "履职交换", read_events(ev_a))
            kills.append(kill)
            a = worker("writer", a_db, a_dir, ev_a, end_a, marker)
        result["kills"] = kills
        for p, name in ((a, "甲"), (b, "乙")):
            if p.wait(timeout=seconds + 300) != 0:
                out = Path(f"{p.args[p.args.index('--events') + 1]}.out").read_text(encoding="utf-8", errors="replace")
                raise RuntimeError(f"{name}机进程失败（退出码 {p.returncode}）：{out}")
        result["settle"] = settle([(a_db, a_dir), (b_db, b_dir)])
        result["part_left"] = sorted(str(p.relative_to(share.served))
                                     for p in share.served.rglob("*.part"))
        result["files_in_share"] = sum(1 for p in share.served.rglob("*") if p.is_file())
        result["share_bytes"] = sum(p.stat().st_size for p in share.served.rglob("*") if p.is_file())
    result.update(analyse(read_events(ev_a), read_events(ev_b), [start + k["at_s"] for k in kills]))
    result["integrity"] = {"甲": integrity(a_db), "乙": integrity(b_db)}
    result["content"] = {"甲": content_hash(a_db), "乙": content_hash(b_db)}
    result["states"] = {"甲": count_states(a_db), "乙": count_states(b_db)}
    return result


def origin_of(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT origin FROM replica").fetchone()[0]
    finally:
        con.close()


def kill_phase(parts: list[str], a_db: Path, folder: Path, ev_a: list[dict]) -> str:
    """Where in its round the writer was killed, from what it left behind."""
    if parts:
        return f"写文件时（留下临时文件 {'、'.join(parts)}）"
    con = sqlite3.connect(f"file:{a_db}?mode=ro", uri=True)
    try:
        origin = con.execute("SELECT origin FROM replica").fetchone()[0]
        next_seq = con.execute("SELECT next_seq FROM peer WHERE peer_id = ?", (origin,)).fetchone()[0]
    finally:
        con.close()
    files = sum(1 for p in (folder / origin).glob("*.lzkc") if re.fullmatch(r"\d{8}\.lzkc", p.name))
    recorded = sum(e["written"] for e in ev_a if e["ev"] == "round") + 1     # + the setup's first
    if files >= next_seq:
        return f"第{files}号变更文件已改名到位、本机数据库尚未记下时（重启后同样的记录写入下一号）"
    if files > recorded:
        return f"第{files}号变更文件已写出并记下、本轮尚未结束时"
    return "读入其他电脑的文件或写确认时（本轮的变更文件尚未写出）"


def analyse(ev_a: list[dict], ev_b: list[dict], kills: list[float]) -> dict:
    submitted = {(e["author"], e["day"]): e["t"] for e in ev_a if e["ev"] == "submit"}
    seen = {(e["author"], e["day"]): e["t"] for e in ev_b if e["ev"] == "seen"}
    lat = sorted(seen[k] - submitted[k] for k in seen if k in submitted)
    rounds_a = [e for e in ev_a if e["ev"] == "round"]
    rounds_b = [e for e in ev_b if e["ev"] == "round"]
    after_kill = [e for e in rounds_a if e["t"] > kills[0]] if kills else []
    restarts = [next((e["t"] - k for e in rounds_a if e["t"] > k), None) for k in kills]

    def q(xs, f):
        return round(xs[min(len(xs) - 1, int(f * len(xs)))], 2) if xs else None
    return {
        "submitted": len(submitted),
        "submitted_before_first_kill": sum(t < kills[0] for t in submitted.values()) if kills else None,
        # the restarted writer finds every log the killed one wrote; one it committed but
        # could not record any more shows up here as found without a submit event
        "found_after_restart": sum(e["ev"] == "found" for e in ev_a),
        "found_without_submit_event": sum(e["ev"] == "found" and (e["author"], e["day"]) not in submitted
                                          for e in ev_a),
        "seen_by_b": len(seen), "final_by_b": sum(e["ev"] == "final" for e in ev_b),
        "latency_s": {"n": len(lat), "median": q(lat, 0.5), "p90": q(lat, 0.9), "max": q(lat, 1.0)},
        "rounds": {"甲": len(rounds_a), "乙": len(rounds_b),
                   "甲_median_s": round(statistics.median(e["seconds"] for e in rounds_a), 2),
                   "乙_median_s": round(statistics.median(e["seconds"] for e in rounds_b), 2)},
        "files_written": {"甲": sum(e["written"] for e in rounds_a), "乙": sum(e["written"] for e in rounds_b)},
        "problems": sorted({p for e in rounds_a + rounds_b for p in e["problems"]}),
        "rounds_after_first_restart": len(after_kill),
        "restart_to_first_round_s": [round(r, 1) if r is not None else None for r in restarts],
        "max_clock_offset_ms": max((abs(o) for e in rounds_a + rounds_b for o in e.get("offsets", ())),
                                   default=None),
        "problems_after_restart": sorted({p for e in after_kill for p in e["problems"]}),
    }


def verdict(r: dict) -> list[str]:
    bad = []
    if r["mount_types"] != ["fuse.smbnetfs"] * 2 or r["network"] != [True, True]:
        bad.append(f"挂载点未被识别为网络文件系统：{r['mount_types']} {r['network']}")
    if r["content"]["甲"] != r["content"]["乙"]:
        bad.append("两台电脑的同步内容不一致")
    if r["integrity"] != {"甲": "ok", "乙": "ok"}:
        bad.append(f"integrity_check：{r['integrity']}")
    if r["states"]["甲"] != r["states"]["乙"]:
        bad.append(f"日志状态不一致：{r['states']}")
    logs = r["submitted"] + r["found_without_submit_event"]
    if r["states"]["甲"] != {"approved": logs}:
        bad.append(f"写了{logs}篇日志，审定情况却是 {r['states']['甲']}")
    if r["problems"]:
        bad.append(f"同步报告了问题：{r['problems']}")
    if None in r["restart_to_first_round_s"] or not r["submitted"] or r["seen_by_b"] < r["submitted"]:
        bad.append("甲机重启后没有继续，或乙机没有看到全部提交")
    stray = [p for p in r["part_left"] if not any(p in k["parts"] for k in r["kills"])]
    if stray:
        bad.append(f"留下了不是被杀进程写的临时文件：{stray}")
    return bad


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=60, help="两个进程并发运行的时间（默认60秒）")
    p.add_argument("--kills", type=int, default=2,
                   help="运行中强行结束甲机进程的次数（默认2：一次在同步中随机时刻，一次正在写变更文件时）")
    p.add_argument("--keep", action="store_true", help="保留工作目录（数据库、事件记录、samba 日志）")
    p.add_argument("--json", type=Path, help="把结果写入此 JSON 文件")
    a = p.parse_args(argv)
    reason = missing()
    if reason:
        print(f"跳过：{reason}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="lzkp-share-"))
    try:
        result = run(a.seconds, work, a.kills)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    bad = verdict(result)
    result["verdict"] = bad or ["通过"]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if a.keep:
        print(f"工作目录：{work}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
