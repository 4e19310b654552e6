"""kiosk: keypad failure budget, remote-open commands, door faults on parcels

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('keypad_states',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('streak_after_id', sa.Integer(), nullable=False),
    sa.Column('window_after_id', sa.Integer(), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_keypad_states_site_id_sites')),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_keypad_states'))
    )
    op.create_table('keypad_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_keypad_failures_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keypad_failures'))
    )
    with op.batch_alter_table('keypad_failures', schema=None) as batch_op:
        batch_op.create_index('ix_keypad_failures_site_at', ['site_id', 'at'], unique=False)

    op.create_table('kiosk_commands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('compartment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acked_by_kiosk_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['acked_by_kiosk_id'], ['kiosks.id'], name=op.f('fk_kiosk_commands_acked_by_kiosk_id_kiosks')),
    sa.ForeignKeyConstraint(['compartment_id'], ['compartments.id'], name=op.f('fk_kiosk_commands_compartment_id_compartments')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_kiosk_commands_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_commands'))
    )
    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.create_index('ix_kiosk_commands_site_pending', ['site_id', 'acked_at', 'expires_at'], unique=False)

    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('door_fault_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('parcels', schema=None) as batch_op:
        batch_op.drop_column('door_fault_at')

    with op.batch_alter_table('kiosk_commands', schema=None) as batch_op:
        batch_op.drop_index('ix_kiosk_commands_site_pending')

    op.drop_table('kiosk_commands')
    with op.batch_alter_table('keypad_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_keypad_failures_site_at')

    op.drop_table('keypad_failures')
    op.drop_table('keypad_states')
