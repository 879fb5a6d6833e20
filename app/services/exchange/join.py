"""A unit set up on its own (首次使用时“新建单位”) joins a 编办 later, keeping its data.

The 编办 registers the unit as it registers any (单位管理 → 登记单位, or `register-unit` with the
unit's 统一社会信用代码) and writes its 单位注册包. The unit checks the 编办's fingerprint by phone
and types the one-time code, as a new unit does, but takes the 注册包 into its EXISTING database:

- the unit's id becomes the one the 编办 gave it (the id every row of its people, sections and
  duties carries, and the sender of its packages), so the 编办's mirror of it takes its rows;
- the unit's own unit row and 核定编制 give way to the 编办's (from now on the 编办 owns them: a
  unit's package may not carry them, app.sync.merge.UNIT_FORBIDDEN);
- the 编办 becomes its peer and its keys prove the code, so its first 上报包 registers them.

All of it is one transaction: a wrong 注册包 (another unit's credit code, issued duties whose codes
the unit already uses) or any problem leaves the database as it was. The unit's first 上报包 carries
its whole history (nothing has been acknowledged yet), so the 编办 sees its logs from the start.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.errors import AppError, PermissionDenied
from app.db import audit
from app.db.engine import Database, now_text
from app.db.models import Base, Outbox, Peer, Replica, SyncKey, Unit
from app.services.exchange import packages as P
from app.services.exchange.enrollment import EnrollmentInfo
from app.services.exchange.pc_sync import PEER_KIND as PC_PEER_KIND
from app.services.exchange.unit_side import bureau_peer
from app.services.org.actor import Actor
from app.sync import codes, container
from app.sync.merge import UNIT_FORBIDDEN, SenderRule

# Replaced by the 编办's rows: the unit's own registration and quotas.
REPLACED = ("unit", "staffing_quota")


@dataclass(frozen=True)
class Joined:
    bureau_name: str
    unit_name: str          # as the 编办 registered it
    old_unit_name: str
    rows: int               # rows the 注册包 brought


def join_bureau(db: Database, actor: Actor, info: EnrollmentInfo) -> Joined:
    """Take the 编办's 注册包 (read and unlocked with its code: app.services.exchange.enrollment)
    into this standalone unit's database. The caller has had the 编办's fingerprint confirmed."""
    _refuse_unless_standalone(db, actor)
    if info.code_keys is None:
        raise AppError("请输入编办给的注册码：注册包的内容用它加密")
    header = info.opened.header
    old_id, new_id = db.unit_id, header["unit_id"]
    keys = P.ensure_keys(db)            # its own transaction: before ours takes the write lock
    with db.read() as s:
        old = s.get(Unit, old_id)
        old_name, old_code = old.name, old.credit_code
    try:
        with db.session(actor) as s:
            conn = s.connection()
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")   # children move before parent
            _move_unit_rows(s, old_id, new_id)
            s.add(Peer(peer_id=header["sender"], kind="bureau", name=header["sender_name"],
                       credit_code=header["bureau_credit_code"], origin=header["bureau_origin"],
                       public_keys=json.dumps(header["sender_keys"]),
                       fingerprint=info.bureau_fingerprint, registered_at=now_text(), next_seq=1,
                       acked_upto=0))
            s.get(Replica, 1).unit_id = new_id
            s.flush()
            db.unit_id = new_id        # what the merge and the review states read
            result = P.receive(db, header["sender"], info.opened,
                               container.SharedSecret(info.code_keys.box),
                               SenderRule(header["bureau_origin"], from_bureau=True),
                               P.PackageResult(info.path), apply=True, actor=actor, session=s)
            unit = s.get(Unit, new_id)
            if unit is None or unit.credit_code != old_code:
                code = unit.credit_code if unit is not None else "（无）"
                raise AppError(f"此注册包是编办为“{header['unit_name']}”（统一社会信用代码{code}）生成的，"
                               f"不是本单位（{old_name}，{old_code}）的：请核对后向编办索取本单位的注册包。"
                               "本单位的数据未作任何修改")
            s.get(SyncKey, 1).enroll_proof = codes.prove(info.code_keys, keys.public())
            audit.append(s, actor.login, "join-bureau", "replica", "1",
                         audit.row_hash({"unit_id": old_id}),
                         audit.row_hash({"unit_id": new_id, "bureau": header["sender"]}))
    except IntegrityError as exc:
        db.unit_id = old_id
        raise AppError(f"注册包与本单位的数据冲突，未作任何修改：{exc.orig}") from exc
    except BaseException:
        db.unit_id = old_id
        raise
    db.reload_identity()
    return Joined(header["sender_name"], header["unit_name"], old_name, result.plan.written)


def _refuse_unless_standalone(db: Database, actor: Actor) -> None:
    if db.edition != "unit":
        raise AppError("只有单位版可以加入编办")
    if not actor.is_admin:
        raise PermissionDenied("导入单位注册包需要单位管理员权限")
    peer = bureau_peer(db)
    if peer is not None:
        raise AppError(f"本单位已由“{peer.name}”登记，不能再导入注册包（换电脑或密钥泄露：请编办撤销密钥后"
                       "在本页输入新注册码）")
    with db.read() as s:
        if s.scalar(select(Peer.peer_id).where(Peer.kind == PC_PEER_KIND)) is not None:
            raise AppError("本单位有多台电脑共用数据（数据交换 → 多台电脑共用）：加入编办会改变单位编号，"
                           "请先在其他电脑上停止共用，只在这一台电脑上导入注册包，之后再让其他电脑重新加入")
        stray = [t for t in UNIT_FORBIDDEN - set(REPLACED)
                 if s.scalar(select(func.count()).select_from(Base.metadata.tables[t]))]
    if stray:
        raise AppError("本单位数据库中有应由编办管理的数据（" + "、".join(sorted(stray)) + "），"
                       "不能自动加入编办：请联系技术支持")


def _move_unit_rows(s, old_id: str, new_id: str) -> None:
    """The unit's rows take the 编办's id for it; its own unit row and quotas give way (removed
    outright, with their outbox entries: they were never sent anywhere, and the 编办's replace them)."""
    for table in Base.metadata.sorted_tables:
        if "unit_id" in table.c and table.name not in ("replica", "staffing_quota"):
            s.execute(table.update().where(table.c.unit_id == old_id).values(unit_id=new_id))
    quotas = Base.metadata.tables["staffing_quota"]
    gone = list(s.scalars(select(quotas.c.id).where(quotas.c.unit_id == old_id)))
    s.execute(quotas.delete().where(quotas.c.unit_id == old_id))
    s.execute(Base.metadata.tables["unit"].delete().where(Base.metadata.tables["unit"].c.id == old_id))
    s.execute(Outbox.__table__.delete().where(
        ((Outbox.table_name == "unit") & (Outbox.row_id == old_id))
        | ((Outbox.table_name == "staffing_quota") & Outbox.row_id.in_(gone or [""]))))

