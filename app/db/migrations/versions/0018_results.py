"""results: 加分/扣分 entries, decisions on a unit, a round's grade cut-offs

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-06 23:00:00

编办用单 (seeds 001/002/004): `score_adjustment` (the 加分/扣分 the 编办 enters for a unit in a
round) and `unit_decision` (编制核增/核减/冻结/用编计划优先 with the figures it rested on) are
bureau-owned synced rows; `round_grading` keeps a round's 等次 cut-offs in the 编办's database.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None


def _synced():
    return [sa.Column('id', sa.String(length=36), nullable=False),
            sa.Column('hlc', sa.String(length=24), nullable=False),
            sa.Column('origin', sa.String(length=36), nullable=False),
            sa.Column('deleted', sa.Boolean(), nullable=False)]


def upgrade() -> None:
    op.create_table('score_adjustment',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.String(length=36), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=19), nullable=False),
    *_synced(),
    sa.ForeignKeyConstraint(['round_id'], ['eval_round.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['indicator_item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('score_adjustment', schema=None) as batch_op:
        batch_op.create_index('ix_score_adjustment_round', ['round_id', 'unit_id'], unique=False)
    op.create_table('unit_decision',
    sa.Column('unit_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.String(length=10), nullable=False),
    sa.Column('doc_no', sa.String(length=100), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=19), nullable=False),
    *_synced(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_decision', schema=None) as batch_op:
        batch_op.create_index('ix_unit_decision_unit', ['unit_id', 'decided_on'], unique=False)
    op.create_table('round_grading',
    sa.Column('round_id', sa.String(length=36), nullable=False),
    sa.Column('cutoffs', sa.Text(), nullable=False),
    sa.Column('top_share', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.String(length=19), nullable=False),
    sa.PrimaryKeyConstraint('round_id')
    )


def downgrade() -> None:
    op.drop_table('round_grading')
    with op.batch_alter_table('unit_decision', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_decision_unit')
    op.drop_table('unit_decision')
    with op.batch_alter_table('score_adjustment', schema=None) as batch_op:
        batch_op.drop_index('ix_score_adjustment_round')
    op.drop_table('score_adjustment')
