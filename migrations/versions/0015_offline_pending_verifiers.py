"""Offline verifiers are made by the scheduler, not in the web workers: the codes still to hash, sealed.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_pending_verifiers",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("code_sealed", sa.String(length=96), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["access_codes.id"],
                                name=op.f("fk_offline_pending_verifiers_code_id_access_codes")),
        sa.PrimaryKeyConstraint("code_id", name=op.f("pk_offline_pending_verifiers")),
    )
    op.create_index("ix_offline_pending_verifiers_queued", "offline_pending_verifiers", ["queued_at"])


def downgrade():
    op.drop_index("ix_offline_pending_verifiers_queued", table_name="offline_pending_verifiers")
    op.drop_table("offline_pending_verifiers")
