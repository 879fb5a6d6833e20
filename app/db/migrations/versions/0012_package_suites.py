"""package suites: the ledger names each package's cipher suite; a unit remembers its 编办's choice

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 20:00:00

A 编办 may choose the 国密 suite (SM2/SM3/SM4) for its county (app.sync.suites). Its 注册包 and
下发包 say so; the unit keeps the choice on the 编办's peer row and seals its 上报包 accordingly.
Every imported package's suite goes into the ledger ('' for packages imported before).
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('package_ledger') as batch:
        batch.add_column(sa.Column('suite', sa.String(length=40), nullable=False, server_default=''))
    with op.batch_alter_table('peer') as batch:
        batch.add_column(sa.Column('suite_family', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('peer') as batch:
        batch.drop_column('suite_family')
    with op.batch_alter_table('package_ledger') as batch:
        batch.drop_column('suite')
