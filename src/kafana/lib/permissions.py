"""Mattermost's default permission scheme: which role grants which permission.

Clients gate their UI on these names (no `create_post` in channel_user, no post box), so they follow
Mattermost's spelling exactly.
"""

from __future__ import annotations

CHANNEL_USER = frozenset(
    {
        "read_channel",
        "read_channel_content",
        "add_reaction",
        "remove_reaction",
        "manage_public_channel_members",
        "upload_file",
        "get_public_link",
        "create_post",
        "use_channel_mentions",
        "use_group_mentions",
        "manage_private_channel_members",
        "delete_post",
        "edit_post",
        "manage_public_channel_properties",
        "manage_private_channel_properties",
        "delete_public_channel",
        "delete_private_channel",
        "read_public_channel_groups",
        "read_private_channel_groups",
        "add_bookmark_public_channel",
        "edit_bookmark_public_channel",
        "delete_bookmark_public_channel",
        "order_bookmark_public_channel",
        "add_bookmark_private_channel",
        "edit_bookmark_private_channel",
        "delete_bookmark_private_channel",
        "order_bookmark_private_channel",
    }
)
CHANNEL_ADMIN = frozenset(
    {
        "manage_channel_roles",
        "manage_public_channel_members",
        "manage_private_channel_members",
        "use_group_mentions",
        "remove_reaction",
        "create_post",
        "add_reaction",
        "read_public_channel_groups",
        "read_private_channel_groups",
        "manage_public_channel_banner",
        "manage_private_channel_banner",
    }
)
TEAM_USER = frozenset(
    {
        "list_team_channels",
        "join_public_channels",
        "read_public_channel",
        "view_team",
        "create_public_channel",
        "create_private_channel",
        "invite_user",
        "add_user_to_team",
        "playbook_public_create",
        "playbook_private_create",
    }
)
TEAM_ADMIN = frozenset(
    {
        "edit_others_posts",
        "remove_user_from_team",
        "manage_team",
        "import_team",
        "manage_team_roles",
        "manage_channel_roles",
        "manage_others_incoming_webhooks",
        "manage_others_outgoing_webhooks",
        "manage_slash_commands",
        "manage_others_slash_commands",
        "manage_incoming_webhooks",
        "manage_outgoing_webhooks",
        "delete_post",
        "delete_others_posts",
        "convert_public_channel_to_private",
        "convert_private_channel_to_public",
        "manage_public_channel_members",
        "manage_private_channel_members",
        "manage_public_channel_properties",
        "manage_private_channel_properties",
        "read_private_channel_groups",
        "read_public_channel_groups",
        "delete_public_channel",
        "delete_private_channel",
        "add_bookmark_public_channel",
        "add_bookmark_private_channel",
        "manage_team_access_rules",
    }
)
SYSTEM_USER = frozenset(
    {
        "list_public_teams",
        "join_public_teams",
        "create_direct_channel",
        "create_group_channel",
        "view_members",
        "create_team",
        "create_emojis",
        "delete_emojis",
        "create_custom_group",
        "edit_custom_group",
        "delete_custom_group",
        "manage_custom_group_members",
        "list_private_teams",
        "join_private_teams",
        "create_user_access_token",
        "read_user_access_token",
        "revoke_user_access_token",
    }
)
SYSTEM_ADMIN_ONLY = frozenset(
    {
        "manage_system",
        "invite_guest",
        "promote_guest",
        "demote_to_guest",
        "remove_others_reactions",
        "manage_roles",
        "manage_others_bots",
        "edit_other_users",
        "manage_oauth",
        "sysconsole_read_users",
        "sysconsole_write_users",
        "sysconsole_read_environment",
        "read_audits",
        "delete_others_emojis",
        "manage_system_wide_oauth",
        "manage_jobs",
        "read_jobs",
        "create_bot",
        "read_bots",
        "read_others_bots",
        "manage_bots",
        "list_users_without_team",
        "read_other_users_teams",
        "create_post_public",
        "create_post_ephemeral",
        "view_members",
        "assign_system_admin_role",
        "manage_shared_channels",
        "read_deleted_posts",
        "use_slash_commands",
        "manage_team",
        "edit_brand",
        "get_analytics",
        "get_logs",
    }
)
SYSTEM_ADMIN = SYSTEM_ADMIN_ONLY | SYSTEM_USER | TEAM_USER | TEAM_ADMIN | CHANNEL_USER | CHANNEL_ADMIN
TEAM_USER_ALL = TEAM_USER | {"use_slash_commands", "create_post_public"}
CHANNEL_USER_ALL = CHANNEL_USER | {"use_slash_commands"}

ROLES: dict[str, frozenset[str]] = {
    "system_admin": SYSTEM_ADMIN,
    "system_user": SYSTEM_USER,
    "system_guest": frozenset({"create_direct_channel", "create_group_channel"}),
    "system_user_access_token": frozenset({"create_user_access_token", "read_user_access_token", "revoke_user_access_token"}),
    "team_admin": TEAM_ADMIN,
    "team_user": TEAM_USER_ALL,
    "team_guest": frozenset({"view_team"}),
    # Kafana: works the moderation queue (actions/moderation.py); no Mattermost permission of its own.
    "system_moderator": frozenset(),
    "channel_admin": CHANNEL_ADMIN,
    "channel_user": CHANNEL_USER_ALL,
    "channel_guest": frozenset(
        {"read_channel", "read_channel_content", "add_reaction", "remove_reaction", "upload_file", "edit_post", "create_post", "use_channel_mentions"}
    ),
}

ROLE_DISPLAY = {
    "system_admin": "authentication.roles.global_admin.name",
    "system_user": "authentication.roles.global_user.name",
    "system_guest": "authentication.roles.global_guest.name",
    "system_user_access_token": "authentication.roles.system_user_access_token.name",
    "system_moderator": "kafana.roles.system_moderator.name",
    "team_admin": "authentication.roles.team_admin.name",
    "team_user": "authentication.roles.team_user.name",
    "team_guest": "authentication.roles.team_guest.name",
    "channel_admin": "authentication.roles.channel_admin.name",
    "channel_user": "authentication.roles.channel_user.name",
    "channel_guest": "authentication.roles.channel_guest.name",
}


def permissions_of(roles: frozenset[str] | set[str]) -> frozenset[str]:
    out: set[str] = set()
    for role in roles:
        out |= ROLES.get(role, frozenset())
    return frozenset(out)


def may_invite(policy: str, permissions: frozenset[str]) -> bool:
    """The `invite_permission` setting: members (Mattermost's `invite_user`), team admins, or system admins only."""
    needed = {"members": "invite_user", "team_admins": "manage_team", "system_admins": "manage_system"}[policy]
    return needed in permissions
