"""post records (任职记录): who held which reviewing post, from when

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 20:40:00.000000

A unit database that already has people gets one record per person, held from the beginning
(since = ""), outboxed like any synced row so the next 上报包 carries them to the 编办.
"""
from alembic import op
import sqlalchemy as sa

from app.core.hlc import HybridClock
from app.core.ids import new_id


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('post_record',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('since', sa.String(length=19), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('section_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=4), nullable=False),
    sa.Column('charges', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('post_record', schema=None) as batch_op:
        batch_op.create_index('ix_post_record_person', ['person_id', 'since'], unique=False)
    _record_baseline(op.get_bind())


def _record_baseline(conn) -> None:
    replica = conn.exec_driver_sql("SELECT origin, edition FROM replica WHERE id = 1").first()
    if replica is None or replica[1] != "unit":
        return
    charges: dict[str, list[str]] = {}
    for deputy, section in conn.exec_driver_sql(
            "SELECT deputy_id, section_id FROM section_charge WHERE deleted = 0"):
        charges.setdefault(deputy, []).append(section)
    last = conn.exec_driver_sql("SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1").scalar()
    clock = HybridClock(last)
    for pid, role, section, status in conn.exec_driver_sql(
            "SELECT id, role, section_id, status FROM person WHERE deleted = 0").all():
        row_id, hlc = new_id(), clock.now()
        conn.exec_driver_sql(
            "INSERT INTO post_record (id, hlc, origin, deleted, person_id, since, role, section_id,"
            " status, charges) VALUES (?, ?, ?, 0, ?, '', ?, ?, ?, ?)",
            (row_id, hlc, replica[0], pid, role, section, status or "在职",
             ",".join(sorted(charges.get(pid, ())))))
        conn.exec_driver_sql("INSERT INTO outbox (table_name, row_id, hlc) VALUES (?, ?, ?)",
                             ("post_record", row_id, hlc))


def downgrade() -> None:
    with op.batch_alter_table('post_record', schema=None) as batch_op:
        batch_op.drop_index('ix_post_record_person')
    op.drop_table('post_record')
