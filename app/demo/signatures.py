"""Signatures of a generated unit: every person gets a key sealed under the demo password, and
the generated submissions and review actions are signed as the program signs them
(app.services.signing), in statements a real office would make: a person's submissions of a
week together (people who fill in Friday for the whole week), a reviewer's actions of a day."""
from __future__ import annotations

import datetime as dt
import os

from app.core import signing
from app.core.ids import new_id
from app.db.engine import now_text

# One derivation for the whole unit: every account shares the demo password anyway.
_DEMO_COST = {"memory_cost": 8192, "iterations": 1, "lanes": 1}


class DemoSigners:
    def __init__(self, person_ids: list[str], password: str):
        salt = os.urandom(16)
        self.password = password
        self.derived = (salt, signing.derive(password, salt, _DEMO_COST))
        self.keys, self.sealed, self.key_rows = {}, {}, []
        self.add(person_ids)

    def add(self, person_ids: list[str]) -> list[dict]:
        """Keys for more people; returns their person_key rows (also kept in key_rows)."""
        rows = []
        for pid in person_ids:
            private = signing.new_private_key()
            key_id = new_id()
            self.keys[pid] = signing.Signer(pid, key_id, private)
            self.sealed[pid] = signing.seal(private, self.password, derived=self.derived,
                                            cost=_DEMO_COST)
            rows.append(dict(id=key_id, person_id=pid, public_key=signing.public_text(private),
                             created_at=now_text()))
        self.key_rows += rows
        return rows

    def _statement(self, person_id: str, kind: str, created_at: str, lines: list[str]) -> dict:
        signer = self.keys[person_id]
        sid, items = new_id(), signing.items_text(lines)
        return dict(id=sid, person_id=person_id, key_id=signer.key_id, kind=kind, items=items,
                    created_at=created_at, value=signer.sign(sid, kind, created_at, items))

    def sign(self, log_rows: list[dict], action_rows: list[dict]) -> list[dict]:
        """Statement rows for a month's generated rows; sets each row's signature_id (and the
        actions' ids, which their lines name)."""
        statements = []
        weeks: dict[tuple, list[dict]] = {}
        for row in log_rows:
            row.setdefault("signature_id", None)
            if row.get("state") == "submitted" and row.get("submitted_at"):
                week = dt.date.fromisoformat(row["day"]).isocalendar()[:2]
                weeks.setdefault((row["person_id"], week), []).append(row)
        for (pid, _), rows in weeks.items():
            lines = [signing.submit_item(r["id"], pid, r["day"], r["round"], r.get("version", 1),
                                         r["content_hash"]) for r in rows]
            st = self._statement(pid, signing.SUBMIT, max(r["submitted_at"] for r in rows)[:19], lines)
            statements.append(st)
            for r in rows:
                r["signature_id"] = st["id"]
        days: dict[tuple, list[dict]] = {}
        for a in action_rows:
            a.setdefault("id", new_id())
            days.setdefault((a["reviewer_id"], a["created_at"][:10]), []).append(a)
        for (pid, _), rows in days.items():
            lines = [signing.review_item(a["id"], a["log_id"], a["round"], a["version"],
                                         a["content_hash"], a["level"], a["action"], a["final"],
                                         pid, a["on_behalf_of"]) for a in rows]
            st = self._statement(pid, signing.REVIEW, max(a["created_at"] for a in rows)[:19], lines)
            statements.append(st)
            for a in rows:
                a["signature_id"] = st["id"]
        return statements
