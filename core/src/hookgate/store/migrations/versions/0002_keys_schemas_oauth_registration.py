"""keys schemas oauth registration

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:09:20.334979
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hookgate.store.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "oauth_connections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("account_id", sa.String(length=200), nullable=True),
        sa.Column("account_name", sa.String(length=200), nullable=True),
        sa.Column("token_enc", sa.Text(), nullable=True),
        sa.Column("expires_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=40), nullable=True),
        sa.Column("created_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_oauth_connections_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_connections")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_api_keys_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "oauth_states",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("connection_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("code_verifier_enc", sa.Text(), nullable=True),
        sa.Column("expires_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.Column("used_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["oauth_connections.id"],
            name=op.f("fk_oauth_states_connection_id_oauth_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
    )
    op.create_table(
        "remote_hooks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=64), nullable=False),
        sa.Column("target_name", sa.String(length=300), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column(
            "events",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("expires_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.Column("checked_at", hookgate.store.models.UTCDateTime(), nullable=True),
        sa.Column("created_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_remote_hooks_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_hooks")),
        sa.UniqueConstraint(
            "source_id",
            "target_type",
            "target_name",
            "remote_id",
            name=op.f("uq_remote_hooks_source_id_target_type_target_name_remote_id"),
        ),
    )
    op.create_table(
        "source_schemas",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "json_schema",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "sample",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("created_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", hookgate.store.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_schemas_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_schemas")),
        sa.UniqueConstraint(
            "source_id", "event_type", name=op.f("uq_source_schemas_source_id_event_type")
        ),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connection_id", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "targets",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
                nullable=False,
                server_default="[]",  # existing sources have no targets
            )
        )
        batch_op.add_column(sa.Column("registration_status", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("registration_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("reconciled_at", hookgate.store.models.UTCDateTime(), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sources_connection_id_oauth_connections"),
            "oauth_connections",
            ["connection_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sources_connection_id_oauth_connections"), type_="foreignkey"
        )
        batch_op.drop_column("reconciled_at")
        batch_op.drop_column("registration_error")
        batch_op.drop_column("registration_status")
        batch_op.drop_column("targets")
        batch_op.drop_column("connection_id")

    op.drop_table("source_schemas")
    op.drop_table("remote_hooks")
    op.drop_table("oauth_states")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    op.drop_table("oauth_connections")
