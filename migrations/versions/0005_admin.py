"""admin: login attempts (throttling shared by all workers) and hourly occupancy snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('remote_addr', sa.String(length=45), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_login_attempts'))
    )
    with op.batch_alter_table('admin_login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_admin_login_attempts_username_at', ['username', 'at'], unique=False)
        batch_op.create_index('ix_admin_login_attempts_remote_addr_at', ['remote_addr', 'at'], unique=False)
        batch_op.create_index('ix_admin_login_attempts_at', ['at'], unique=False)

    op.create_table('occupancy_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.String(length=2), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('free', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('occupied', sa.Integer(), nullable=False),
    sa.Column('disabled', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_occupancy_snapshots_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupancy_snapshots')),
    sa.UniqueConstraint('site_id', 'taken_at', 'size', name='uq_occupancy_snapshots_site_taken_size')
    )
    with op.batch_alter_table('occupancy_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_occupancy_snapshots_taken_at', ['taken_at'], unique=False)


def downgrade():
    with op.batch_alter_table('occupancy_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_occupancy_snapshots_taken_at')

    op.drop_table('occupancy_snapshots')
    with op.batch_alter_table('admin_login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_login_attempts_at')
        batch_op.drop_index('ix_admin_login_attempts_remote_addr_at')
        batch_op.drop_index('ix_admin_login_attempts_username_at')

    op.drop_table('admin_login_attempts')
