"""audit head remembered per peer

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 17:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('peer') as batch:
        batch.add_column(sa.Column('audit_seq', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('audit_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('audit_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('peer') as batch:
        batch.drop_column('audit_note')
        batch.drop_column('audit_hash')
        batch.drop_column('audit_seq')
