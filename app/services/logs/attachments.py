"""Attachment files: stored once per SHA-256 in <db>.files/ab/abcdef…, referenced by entries."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from app.core.errors import AppError
from app.core.logrules import MAX_ATTACHMENT_BYTES, AttachmentRef
from app.db.engine import Database
from app.paths import private_dir, private_open

def stored_path(db: Database, sha256: str) -> Path:
    return db.files_dir / sha256[:2] / sha256


def store_file(db: Database, source: Path | str) -> AttachmentRef:
    source = Path(source)
    if not source.is_file():
        raise AppError(f"找不到附件文件：{source}")
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise AppError(f"附件“{source.name}”超过50MB，请压缩或拆分后再上传")
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    sha = digest.hexdigest()
    target = stored_path(db, sha)
    if not target.exists():
        private_dir(db.files_dir)
        private_dir(target.parent)
        tmp = target.with_suffix(".part")
        with source.open("rb") as src, private_open(tmp) as out:
            shutil.copyfileobj(src, out, 1 << 20)
        tmp.replace(target)  # whole-file write with atomic rename
    return AttachmentRef(source.name, sha, size)
