"""sites.sms_sender: a site's own SMS sender (twilio | solapi | console) over its country's; NULL: by country.

Revision ID: 0013
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("sms_sender", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("sms_sender")
