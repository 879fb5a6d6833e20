"""change counts: triggers count the writes to what a log's verdict rests on, per month

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:10:00.000000

The unit's statistics check every log's signatures before counting it
(app.services.signing.verify.check_span); a refresh skips the months whose count has not moved
since the last check in this process. Triggers fire on any writer — the program, another PC's
program, or someone editing the file with a SQL tool — so a hand edit is checked at the next
refresh. Month 0 counts changes to statements and keys, which any month's verdict may rest on.
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_BUMP = ("INSERT INTO change_count (month, n) VALUES ({month}, 1) "
         "ON CONFLICT (month) DO UPDATE SET n = n + 1;")
_ACTION_MONTH = "(SELECT month FROM work_log WHERE id = {row}.log_id)"
# table → months a write touches, from the NEW and OLD row
_TRIGGERS = {
    "work_log": ("NEW.month", "OLD.month"),
    "log_entry": ("NEW.month", "OLD.month"),
    "review_action": (_ACTION_MONTH.format(row="NEW"), _ACTION_MONTH.format(row="OLD")),
    "signed_statement": ("0", "0"),
    "person_key": ("0", "0"),
}


# Statements and keys: only a change of an existing one can break a verdict already given (every
# submission and approval inserts a statement, which must not make each refresh check everything).
_RESTING_ON = frozenset({"signed_statement", "person_key"})


def upgrade() -> None:
    op.execute("CREATE TABLE change_count (month INTEGER NOT NULL PRIMARY KEY, n INTEGER NOT NULL)")
    for table, (new, old) in _TRIGGERS.items():
        for event, months in (("INSERT", (new,)), ("UPDATE", (new, old)), ("DELETE", (old,))):
            if event == "INSERT" and table in _RESTING_ON:
                continue
            body = " ".join(_BUMP.format(month=m) for m in dict.fromkeys(months))
            op.execute(f"CREATE TRIGGER count_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {body} END")


def downgrade() -> None:
    for table in _TRIGGERS:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS count_{table}_{event}")
    op.execute("DROP TABLE change_count")
