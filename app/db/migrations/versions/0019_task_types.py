"""task types: a duty's 任务类型 (业务、党建、财务和组织人事、信访投诉、综合性工作)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 23:00:00

The second classification of duties (seed 002, 桓台县), beside the 职能类别. Existing duties keep
NULL: they count by the type their text suggests (app.core.task_types.guess) until someone
sets one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duty') as batch:
        batch.add_column(sa.Column('task_type', sa.String(length=12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('duty') as batch:
        batch.drop_column('task_type')
