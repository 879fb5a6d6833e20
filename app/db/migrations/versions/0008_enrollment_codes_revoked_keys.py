"""one-time registration codes, enrollment proofs, revoked unit keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('revoked_key',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('peer_id', sa.String(length=36), nullable=False),
    sa.Column('fingerprint', sa.String(length=40), nullable=False),
    sa.Column('public_keys', sa.Text(), nullable=False),
    sa.Column('revoked_at', sa.String(length=19), nullable=False),
    sa.Column('revoked_by', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('revoked_key', schema=None) as batch_op:
        batch_op.create_index('ix_revoked_key_peer', ['peer_id', 'fingerprint'], unique=False)

    with op.batch_alter_table('peer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enroll_verifier', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_issued_at', sa.String(length=19), nullable=True))

    with op.batch_alter_table('sync_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enroll_proof', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_key', schema=None) as batch_op:
        batch_op.drop_column('enroll_proof')

    with op.batch_alter_table('peer', schema=None) as batch_op:
        batch_op.drop_column('code_issued_at')
        batch_op.drop_column('enroll_verifier')

    with op.batch_alter_table('revoked_key', schema=None) as batch_op:
        batch_op.drop_index('ix_revoked_key_peer')

    op.drop_table('revoked_key')
