"""storage policy: reminder and purge marks on parcels, payments of storage fees

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('free_end_reminder_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('personal_data_purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_parcels_state_pickup_deadline', ['state', 'pickup_deadline'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.String(length=32), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_payments_parcel_id_parcels')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_payments_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('site_id', 'reference', name='uq_payments_site_reference')
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_parcel_id'), ['parcel_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_parcel_id'))

    op.drop_table('payments')
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_index('ix_parcels_state_pickup_deadline')
        batch_op.drop_column('personal_data_purged_at')
        batch_op.drop_column('free_end_reminder_sent_at')
        batch_op.drop_column('reminder_sent_at')
