"""SMS: body redaction state, and an index for the daily cap per recipient number.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redaction", sa.String(length=8), nullable=True))
        batch_op.create_index("ix_messages_to_phone_created_at", ["to_phone", "created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_to_phone_created_at")
        batch_op.drop_column("redaction")
