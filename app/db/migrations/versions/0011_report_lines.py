"""report lines: the 上报包 of a multi-PC unit are numbered per PC

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:30:00

Each PC of a unit has its own outbox positions and its own audit chain, so the 编办 judges a
unit's packages per PC (`line`: the replica origin that made them; '' for packages of programs
before this version) and remembers the audit head per line in the ledger row that brought it
(app.services.exchange.report_lines). The head the 编办 remembered per unit so far moves into
the unit's newest 上报包 ledger row, the line it belongs to.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('package_ledger') as batch:
        batch.add_column(sa.Column('line', sa.String(length=36), nullable=False, server_default=''))
        batch.add_column(sa.Column('audit_seq', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('audit_hash', sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE package_ledger SET "
        "audit_seq = (SELECT p.audit_seq FROM peer p WHERE p.peer_id = package_ledger.sender), "
        "audit_hash = (SELECT p.audit_hash FROM peer p WHERE p.peer_id = package_ledger.sender) "
        "WHERE id IN (SELECT max(id) FROM package_ledger WHERE kind = 'report' GROUP BY sender) "
        "AND EXISTS (SELECT 1 FROM peer p WHERE p.peer_id = package_ledger.sender AND p.audit_seq > 0)")


def downgrade() -> None:
    with op.batch_alter_table('package_ledger') as batch:
        batch.drop_column('audit_hash')
        batch.drop_column('audit_seq')
        batch.drop_column('line')
