"""Whether a package's sender key may be trusted: refused when revoked, registered the first time
only with a proof of the unit's one-time code and (when asked) a fingerprint confirmed by phone.
Runs inside the receiving transaction (app.services.exchange.packages._receive), so the check and
the registration that spends the code cannot be separated (docs/ARCHITECTURE.md "Registering a
unit's key")."""
from __future__ import annotations

import json
from typing import Collection

from sqlalchemy import select

from app.db import audit
from app.db.models import Peer, RevokedKey
from app.sync import codes
from app.sync.container import PackageError
from app.sync.keys import PublicKeys

REVOKED, NO_CODE, BAD_PROOF, UNCONFIRMED = "revoked_key", "no_code", "enroll_proof", "unconfirmed_key"


def refuse_revoked(s, peer: Peer, header: dict) -> None:
    """A package whose header names a signing key the 编办 revoked for this sender."""
    row = s.scalar(select(RevokedKey).where(RevokedKey.peer_id == peer.peer_id,
                                            RevokedKey.fingerprint == header.get("sender_key"))
                   .order_by(RevokedKey.id.desc()).limit(1))
    if row is not None:
        raise PackageError(REVOKED, f"此包由“{peer.name}”已被撤销的密钥签名（指纹{row.fingerprint}，"
                                    f"{row.revoked_at[:16].replace('T', ' ')}撤销），拒收，未导入任何数据。"
                                    "请单位管理员在“数据交换”页输入编办新发的注册码（命令行 rekey --code），"
                                    "再重新导出上报包")


def admit_new_key(s, peer: Peer, header: dict, keys: PublicKeys, *, apply: bool,
                  confirmed: Collection[str] | None) -> None:
    """A unit key seen for the first time: it must carry a proof of the unit's pending code;
    importing (not previewing) with `confirmed` given, its fingerprint must be among them."""
    fingerprint = keys.fingerprint()
    if peer.enroll_verifier is None:
        raise PackageError(NO_CODE, f"编办没有给“{peer.name}”待用的注册码，不能登记其密钥（指纹{fingerprint}），"
                                    "拒收：请在“单位管理”页为该单位生成注册包，或撤销密钥（会发放新注册码），"
                                    "把注册码交给单位；单位输入后重新导出上报包")
    if not codes.check_proof(peer.enroll_verifier, header.get("enroll_proof"), peer.peer_id, keys):
        raise PackageError(BAD_PROOF, f"此包没有“{peer.name}”当前注册码的有效证明，不能登记其密钥（指纹"
                                      f"{fingerprint}），拒收，未导入任何数据。可能是他人拿注册包冒充该单位，或单位"
                                      "用的是作废的注册码：请电话与该单位核实。单位确未报送过时，请为其重发注册码"
                                      "（撤销密钥），单位输入新注册码后重新导出上报包")
    if apply and confirmed is not None and not any(codes.same_fingerprint(fingerprint, c) for c in confirmed):
        raise PackageError(UNCONFIRMED, f"首次收到“{peer.name}”的包，其密钥指纹为 {fingerprint}，尚未核对，"
                                        "未导入：请电话请单位管理员念出“数据交换”页上的本单位密钥指纹，完全一致后"
                                        f"再导入（命令行加 --fingerprint {fingerprint}）")


def register(s, peer: Peer, keys: PublicKeys, login: str) -> None:
    """Register the key admit_new_key let in; its code is spent."""
    peer.public_keys = json.dumps(keys.to_dict())
    peer.fingerprint = keys.fingerprint()
    peer.enroll_verifier = peer.code_issued_at = None
    audit.append(s, login, "register-key", "peer", peer.peer_id, None,
                 audit.row_hash({"fingerprint": peer.fingerprint, "public_keys": keys.to_dict()}))
