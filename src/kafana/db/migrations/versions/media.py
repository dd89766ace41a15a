"""media: uploaded files (file_infos), custom emoji, link previews of posts (posts.embeds)

Revision ID: media
Revises: 0001
Create Date: 2026-11-30 04:24:50.852790
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'media'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('emoji',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('creator_id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('path', sa.String(length=512), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_emoji'))
    )
    with op.batch_alter_table('emoji', schema=None) as batch_op:
        batch_op.create_index('ix_emoji_name_delete_at', ['name', 'delete_at'], unique=True)

    op.create_table('file_infos',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('creator_id', sa.String(length=26), nullable=False),
    sa.Column('post_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('path', sa.String(length=512), server_default='', nullable=False),
    sa.Column('thumbnail_path', sa.String(length=512), server_default='', nullable=False),
    sa.Column('preview_path', sa.String(length=512), server_default='', nullable=False),
    sa.Column('name', sa.String(length=256), server_default='', nullable=False),
    sa.Column('extension', sa.String(length=64), server_default='', nullable=False),
    sa.Column('size', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('mime_type', sa.String(length=128), server_default='', nullable=False),
    sa.Column('width', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('height', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('has_preview_image', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('mini_preview', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_infos'))
    )
    with op.batch_alter_table('file_infos', schema=None) as batch_op:
        batch_op.create_index('ix_file_infos_channel_create', ['channel_id', 'create_at'], unique=False)
        batch_op.create_index('ix_file_infos_creator', ['creator_id'], unique=False)
        batch_op.create_index('ix_file_infos_post', ['post_id'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('embeds', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('embeds')

    with op.batch_alter_table('file_infos', schema=None) as batch_op:
        batch_op.drop_index('ix_file_infos_post')
        batch_op.drop_index('ix_file_infos_creator')
        batch_op.drop_index('ix_file_infos_channel_create')

    op.drop_table('file_infos')
    with op.batch_alter_table('emoji', schema=None) as batch_op:
        batch_op.drop_index('ix_emoji_name_delete_at')

    op.drop_table('emoji')
