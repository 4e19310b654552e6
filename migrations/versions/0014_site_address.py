"""Sites get a public address and opening hours, for the public locker directory; admins a language.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("address", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("opening_hours", sa.String(length=80), nullable=True))
    with op.batch_alter_table("admins") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade():
    with op.batch_alter_table("admins") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("opening_hours")
        batch.drop_column("address")
