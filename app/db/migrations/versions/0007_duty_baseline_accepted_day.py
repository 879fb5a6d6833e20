"""a 编办 mirror's duty baseline and accepted calendar days

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00

Local tables (never exported): the class each duty had when the 编办 first received it, and the
days on which the 编办 accepted a unit's calendar over the national one. A mirror upgraded to
this revision notes its duties' baseline at the next import of that unit's 上报包.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duty_baseline',
                    sa.Column('duty_id', sa.String(length=36), nullable=False),
                    sa.Column('code', sa.String(length=20), nullable=False),
                    sa.Column('duty_class', sa.String(length=4), nullable=True),
                    sa.Column('noted_in', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('duty_id'))
    op.create_table('accepted_day',
                    sa.Column('day', sa.String(length=10), nullable=False),
                    sa.Column('working', sa.Boolean(), nullable=False),
                    sa.Column('accepted_at', sa.String(length=19), nullable=False),
                    sa.Column('accepted_by', sa.String(length=40), nullable=False),
                    sa.PrimaryKeyConstraint('day'))


def downgrade() -> None:
    op.drop_table('accepted_day')
    op.drop_table('duty_baseline')
