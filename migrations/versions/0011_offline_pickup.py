"""Offline pickup: per-site verifier salts and switch, code verifiers, agent replays and reports.

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "offline_sites",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_offline_sites_site_id_sites")),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_offline_sites")),
    )
    op.create_table(
        "offline_verifiers",
        sa.Column("code_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("verifier", sa.String(length=64), nullable=False),
        sa.Column("with_phone_suffix", sa.Boolean(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("params", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["code_id"], ["access_codes.id"], name=op.f("fk_offline_verifiers_code_id_access_codes")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_offline_verifiers_site_id_sites")),
        sa.PrimaryKeyConstraint("code_id", name=op.f("pk_offline_verifiers")),
    )
    op.create_index("ix_offline_verifiers_site_created", "offline_verifiers", ["site_id", "created_at"])
    op.create_table(
        "offline_replays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_offline_replays_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offline_replays")),
        sa.UniqueConstraint("kiosk_id", "key", name="uq_offline_replays_kiosk_key"),
    )
    op.create_table(
        "agent_reports",
        sa.Column("kiosk_id", sa.Integer(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queue_length", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_agent_reports_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_agent_reports")),
    )


def downgrade():
    op.drop_table("agent_reports")
    op.drop_table("offline_replays")
    op.drop_index("ix_offline_verifiers_site_created", table_name="offline_verifiers")
    op.drop_table("offline_verifiers")
    op.drop_table("offline_sites")
