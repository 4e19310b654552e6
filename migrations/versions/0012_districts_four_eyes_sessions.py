"""Admin scope (districts), four-eyes remote opens and server-side admin sessions

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Admins made before scopes existed saw every district; they keep doing so until someone narrows them.
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("all_districts", sa.Boolean(), server_default=sa.text("false"),
                                      nullable=False))
    op.execute("UPDATE admins SET all_districts = true")

    op.create_table(
        "admin_districts",
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["admin_id"], ["admins.id"], name=op.f("fk_admin_districts_admin_id_admins"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("admin_id", "district", name=op.f("pk_admin_districts")),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("remote_addr", sa.String(length=45), nullable=True),
        sa.ForeignKeyConstraint(["admin_id"], ["admins.id"], name=op.f("fk_admin_sessions_admin_id_admins"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_digest", name=op.f("pk_admin_sessions")),
    )
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_admin_sessions_admin_id", ["admin_id"], unique=False)
        batch_op.create_index("ix_admin_sessions_expires_at", ["expires_at"], unique=False)
    op.create_table(
        "open_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("compartment_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=40), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("command_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["command_id"], ["kiosk_commands.id"],
                                name=op.f("fk_open_requests_command_id_kiosk_commands")),
        sa.ForeignKeyConstraint(["compartment_id"], ["compartments.id"],
                                name=op.f("fk_open_requests_compartment_id_compartments")),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], name=op.f("fk_open_requests_parcel_id_parcels")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_open_requests_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_requests")),
    )
    with op.batch_alter_table("open_requests", schema=None) as batch_op:
        batch_op.create_index("ix_open_requests_state_site", ["state", "site_id"], unique=False)


def downgrade():
    op.drop_table("open_requests")
    op.drop_table("admin_sessions")
    op.drop_table("admin_districts")
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.drop_column("all_districts")
