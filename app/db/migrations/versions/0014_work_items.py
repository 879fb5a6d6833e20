"""work items (工作事项): 年度重点工作, 督办事项, 审批服务事项, 工作计划 tied to duties; an entry may link to one

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:00:00

Four synced tables (app.db.item_models) and `log_entry.item_id`. Existing entries link to no
item (NULL), and their content hashes and signatures stay as they were: an entry's item enters
its hash only when it has one (app.core.logrules.content_hash).
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _synced() -> list:
    return [sa.Column('id', sa.String(length=36), nullable=False),
            sa.Column('hlc', sa.String(length=24), nullable=False),
            sa.Column('origin', sa.String(length=36), nullable=False),
            sa.Column('deleted', sa.Boolean(), nullable=False),
            sa.PrimaryKeyConstraint('id')]


def upgrade() -> None:
    op.create_table('work_item',
                    sa.Column('unit_id', sa.String(length=36), nullable=False),
                    sa.Column('kind', sa.String(length=10), nullable=False),
                    sa.Column('code', sa.String(length=20), nullable=False),
                    sa.Column('title', sa.Text(), nullable=False),
                    sa.Column('year', sa.Integer(), nullable=True),
                    sa.Column('deadline', sa.String(length=10), nullable=True),
                    sa.Column('section_id', sa.String(length=36), nullable=True),
                    sa.Column('note', sa.Text(), nullable=False),
                    sa.Column('sort_order', sa.Integer(), nullable=False),
                    *_synced(),
                    sa.ForeignKeyConstraint(['unit_id'], ['unit.id']))
    op.create_index('ix_work_item_unit', 'work_item', ['unit_id', 'kind'])
    op.create_table('work_item_duty',
                    sa.Column('item_id', sa.String(length=36), nullable=False),
                    sa.Column('duty_id', sa.String(length=36), nullable=False),
                    *_synced(),
                    sa.ForeignKeyConstraint(['item_id'], ['work_item.id']),
                    sa.ForeignKeyConstraint(['duty_id'], ['duty.id']))
    op.create_index('ix_work_item_duty', 'work_item_duty', ['item_id', 'duty_id'])
    op.create_table('work_item_done',
                    sa.Column('item_id', sa.String(length=36), nullable=False),
                    sa.Column('done_on', sa.String(length=10), nullable=False),
                    sa.Column('note', sa.Text(), nullable=False),
                    *_synced(),
                    sa.ForeignKeyConstraint(['item_id'], ['work_item.id']))
    op.create_index('ix_work_item_done_item_id', 'work_item_done', ['item_id'])
    op.create_table('work_item_count',
                    sa.Column('item_id', sa.String(length=36), nullable=False),
                    sa.Column('period', sa.String(length=7), nullable=False),
                    sa.Column('accepted', sa.Integer(), nullable=False),
                    sa.Column('finished', sa.Integer(), nullable=False),
                    sa.Column('overdue', sa.Integer(), nullable=False),
                    *_synced(),
                    sa.ForeignKeyConstraint(['item_id'], ['work_item.id']))
    op.create_index('ix_work_item_count', 'work_item_count', ['item_id', 'period'])
    with op.batch_alter_table('log_entry') as batch:
        batch.add_column(sa.Column('item_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('log_entry') as batch:
        batch.drop_column('item_id')
    for table in ('work_item_count', 'work_item_done', 'work_item_duty', 'work_item'):
        op.drop_table(table)
