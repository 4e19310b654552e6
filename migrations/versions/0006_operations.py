"""Operations: the pepper id of each code (pepper rotation), and job run counts for /metrics.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Codes issued before this revision were made with the one pepper there was: id "1", which is
    # also the id of a bare LOCKER_CODE_PEPPER.
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pepper_id", sa.String(length=16), server_default="1", nullable=False))
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("seconds_total", sa.Float(), nullable=False),
        sa.Column("last_seconds", sa.Float(), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_job_runs"),
    )


def downgrade():
    op.drop_table("job_runs")
    with op.batch_alter_table("access_codes", schema=None) as batch_op:
        batch_op.drop_column("pepper_id")
