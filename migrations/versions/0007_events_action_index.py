"""An index on events.action: /metrics counts keypad locks from the audit trail at every scrape, and the trail
only grows.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_events_action", "events", ["action"])


def downgrade():
    op.drop_index("ix_events_action", table_name="events")
