"""monthly feedback: the 编办's 履职监测反馈 to each unit, one row per unit and month

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:00:00

Seed 002: 每月问题动态反馈. A bureau-owned synced row (app.sync.merge.BUREAU_TABLES) written in
the unit's mirror and carried by the 下发包; a unit never writes it (UNIT_FORBIDDEN).
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('monthly_feedback',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('remark', sa.Text(), nullable=False),
    sa.Column('issued_at', sa.String(length=19), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('origin', sa.String(length=36), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('monthly_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_monthly_feedback_unit', ['unit_id', 'month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('monthly_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_monthly_feedback_unit')
    op.drop_table('monthly_feedback')
