"""The courier at the touchscreen (issue 19): kiosk PINs and their lockouts, courier sessions, the kiosk's own
sign-in throttle, lost-code requests and the grants that let a lost-code code past a paused keypad.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pin_guards',
    sa.Column('phone_digest', sa.String(length=64), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('day_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('day_failures', sa.Integer(), nullable=False),
    sa.Column('pin_locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('phone_digest', name=op.f('pk_pin_guards'))
    )
    op.create_table('lost_code_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_digest', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_lost_code_requests_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_code_requests'))
    )
    with op.batch_alter_table('lost_code_requests', schema=None) as batch_op:
        batch_op.create_index('ix_lost_code_requests_digest_at', ['phone_digest', 'at'], unique=False)

    op.create_table('courier_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('courier_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['courier_id'], ['couriers.id'], name=op.f('fk_courier_sessions_courier_id_couriers')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_courier_sessions_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courier_sessions'))
    )
    with op.batch_alter_table('courier_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courier_sessions_courier_id'), ['courier_id'], unique=False)

    op.create_table('kiosk_credentials',
    sa.Column('courier_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=False),
    sa.Column('pin_set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['courier_id'], ['couriers.id'], name=op.f('fk_kiosk_credentials_courier_id_couriers')),
    sa.PrimaryKeyConstraint('courier_id', name=op.f('pk_kiosk_credentials')),
    sa.UniqueConstraint('phone', name=op.f('uq_kiosk_credentials_phone'))
    )
    op.create_table('kiosk_sign_in_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_sign_in_failures_kiosk_id_kiosks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_sign_in_failures'))
    )
    with op.batch_alter_table('kiosk_sign_in_failures', schema=None) as batch_op:
        batch_op.create_index('ix_kiosk_sign_in_failures_kiosk_at', ['kiosk_id', 'at'], unique=False)

    op.create_table('lost_code_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.String(length=32), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('tries_left', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcels.id'], name=op.f('fk_lost_code_grants_parcel_id_parcels')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_lost_code_grants_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_code_grants'))
    )
    with op.batch_alter_table('lost_code_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lost_code_grants_parcel_id'), ['parcel_id'], unique=False)
        batch_op.create_index('ix_lost_code_grants_site_expires', ['site_id', 'expires_at'], unique=False)



def downgrade():
    with op.batch_alter_table('lost_code_grants', schema=None) as batch_op:
        batch_op.drop_index('ix_lost_code_grants_site_expires')
        batch_op.drop_index(batch_op.f('ix_lost_code_grants_parcel_id'))

    op.drop_table('lost_code_grants')
    with op.batch_alter_table('kiosk_sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_kiosk_sign_in_failures_kiosk_at')

    op.drop_table('kiosk_sign_in_failures')
    op.drop_table('kiosk_credentials')
    with op.batch_alter_table('courier_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courier_sessions_courier_id'))

    op.drop_table('courier_sessions')
    with op.batch_alter_table('lost_code_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_lost_code_requests_digest_at')

    op.drop_table('lost_code_requests')
    op.drop_table('pin_guards')
