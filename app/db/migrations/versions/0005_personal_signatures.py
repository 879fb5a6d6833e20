"""personal signatures: person keys, signed statements, sealed private keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 16:50:00

Logs and review actions written before this revision carry no signature: statistics count
them as 未签名 (not verifiable), like any other unsigned row (README "签名与留痕").
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _synced() -> list[sa.Column]:
    return [sa.Column('id', sa.String(length=36), nullable=False),
            sa.Column('hlc', sa.String(length=24), nullable=False),
            sa.Column('origin', sa.String(length=36), nullable=False),
            sa.Column('deleted', sa.Boolean(), nullable=False)]


def upgrade() -> None:
    op.create_table('person_key',
                    sa.Column('person_id', sa.String(length=36), nullable=False),
                    sa.Column('public_key', sa.String(length=44), nullable=False),
                    sa.Column('created_at', sa.String(length=19), nullable=False),
                    *_synced(),
                    sa.ForeignKeyConstraint(['person_id'], ['person.id']),
                    sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_person_key_person', 'person_key', ['person_id'])
    op.create_table('signed_statement',
                    sa.Column('person_id', sa.String(length=36), nullable=False),
                    sa.Column('key_id', sa.String(length=36), nullable=False),
                    sa.Column('kind', sa.String(length=8), nullable=False),
                    sa.Column('items', sa.Text(), nullable=False),
                    sa.Column('value', sa.String(length=88), nullable=False),
                    sa.Column('created_at', sa.String(length=19), nullable=False),
                    *_synced(),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('credential') as batch:
        batch.add_column(sa.Column('sealed_key', sa.Text(), nullable=True))
    with op.batch_alter_table('work_log') as batch:
        batch.add_column(sa.Column('signature_id', sa.String(length=36), nullable=True))
    with op.batch_alter_table('review_action') as batch:
        batch.add_column(sa.Column('signature_id', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review_action') as batch:
        batch.drop_column('signature_id')
    with op.batch_alter_table('work_log') as batch:
        batch.drop_column('signature_id')
    with op.batch_alter_table('credential') as batch:
        batch.drop_column('sealed_key')
    op.drop_table('signed_statement')
    op.drop_index('ix_person_key_person', table_name='person_key')
    op.drop_table('person_key')
