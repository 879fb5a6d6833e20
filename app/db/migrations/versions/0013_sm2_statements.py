"""sm2 statements: a person's derived SM2 key on their key row; each statement names its algorithm

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 21:00:00

When the county chose 国密, personal statements are signed with SM2 over SM3 (app.core.signing).
The SM2 key is derived from the person's Ed25519 key; `person_key` keeps its public half and the
Ed25519 key's endorsement of it, `signed_statement.alg` says which algorithm signed. Statements
written before are Ed25519 (the server default fills them in).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person_key') as batch:
        batch.add_column(sa.Column('sm2_public', sa.String(length=88), nullable=True))
        batch.add_column(sa.Column('sm2_endorsement', sa.String(length=88), nullable=True))
    with op.batch_alter_table('signed_statement') as batch:
        batch.add_column(sa.Column('alg', sa.String(length=8), nullable=True,
                                   server_default='ed25519'))


def downgrade() -> None:
    with op.batch_alter_table('signed_statement') as batch:
        batch.drop_column('alg')
    with op.batch_alter_table('person_key') as batch:
        batch.drop_column('sm2_endorsement')
        batch.drop_column('sm2_public')
