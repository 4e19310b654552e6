"""Codes of waiting SMS sealed, not kept in clear (code_sealed); who caused each SMS, for the caps per carrier
and courier; indexes for the hourly caps.

The upgrade seals the codes of messages not yet sent with the app's LOCKER_SEAL_KEY and masks their bodies;
the downgrade puts them back in clear, since the older relay sends the body as it is.

Revision ID: 0009
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

MASK = "********"
messages = sa.table("messages", sa.column("id", sa.Integer), sa.column("parcel_id", sa.String),
                    sa.column("to_phone", sa.String), sa.column("body", sa.Text),
                    sa.column("code_offset", sa.Integer), sa.column("code_sealed", sa.String))


def _context(to_phone, parcel_id):
    return f"sms-code\x00{to_phone or ''}\x00{parcel_id or ''}"  # as locker_app.sms.outbox.seal_context


def upgrade():
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code_sealed", sa.String(length=96), nullable=True))
        batch_op.add_column(sa.Column("carrier_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("courier_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_messages_carrier_id_carriers"), "carriers", ["carrier_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_messages_courier_id_couriers"), "couriers", ["courier_id"], ["id"])
        batch_op.create_index("ix_messages_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_messages_courier_created_at", ["courier_id", "created_at"], unique=False)
        batch_op.create_index("ix_messages_carrier_created_at", ["carrier_id", "created_at"], unique=False)
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE messages SET carrier_id = (SELECT carrier_id FROM parcels "
                         "WHERE parcels.id = messages.parcel_id) WHERE parcel_id IS NOT NULL"))
    bind.execute(sa.text("UPDATE messages SET courier_id = (SELECT courier_id FROM parcels "
                         "WHERE parcels.id = messages.parcel_id) "
                         "WHERE parcel_id IS NOT NULL AND kind = 'delivery'"))
    keys = current_app.config["SEAL_KEYS"]
    rows = bind.execute(sa.select(messages.c.id, messages.c.parcel_id, messages.c.to_phone, messages.c.body,
                                  messages.c.code_offset)
                        .where(messages.c.code_offset.is_not(None), messages.c.body.is_not(None))).all()
    for row in rows:
        start = row.code_offset
        code = row.body[start:start + len(MASK)]
        masked = row.body[:start] + MASK + row.body[start + len(MASK):]
        bind.execute(messages.update().where(messages.c.id == row.id).values(
            body=masked, code_sealed=keys.seal(code, _context(row.to_phone, row.parcel_id))))


def downgrade():
    keys = current_app.config["SEAL_KEYS"]
    bind = op.get_bind()
    rows = bind.execute(sa.select(messages.c.id, messages.c.parcel_id, messages.c.to_phone, messages.c.body,
                                  messages.c.code_offset, messages.c.code_sealed)
                        .where(messages.c.code_sealed.is_not(None), messages.c.body.is_not(None))).all()
    for row in rows:
        start = row.code_offset
        code = keys.open(row.code_sealed, _context(row.to_phone, row.parcel_id))
        bind.execute(messages.update().where(messages.c.id == row.id).values(
            body=row.body[:start] + code + row.body[start + len(MASK):]))
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_carrier_created_at")
        batch_op.drop_index("ix_messages_courier_created_at")
        batch_op.drop_index("ix_messages_created_at")
        batch_op.drop_constraint(batch_op.f("fk_messages_courier_id_couriers"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_messages_carrier_id_carriers"), type_="foreignkey")
        batch_op.drop_column("courier_id")
        batch_op.drop_column("carrier_id")
        batch_op.drop_column("code_sealed")
