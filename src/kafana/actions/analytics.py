"""Server statistics (Mattermost's `GET /analytics/old`, system admins): the console's numbers and charts."""

from __future__ import annotations

from datetime import UTC, datetime

from kafana.access import has_system_permission
from kafana.actions.context import Actor, Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import bad_request, forbidden
from kafana.models import Command, IncomingWebhook, OutgoingWebhook
from kafana.store import analytics as store
from kafana.store import integrations as integrations_store

DAY_MS = store.DAY_MS
DAYS = 30  # the per-day charts' window, as Mattermost's
Row = dict[str, object]


def _rows(values: dict[str, int]) -> list[Row]:
    return [{"name": name, "value": value} for name, value in values.items()]


def _date(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


async def get_analytics(svc: Services, actor: Actor, name: str, team_id: str, *, websocket_connections: int = 0) -> list[Row]:
    """`standard`, `post_counts_day`, `user_counts_with_posts_day` or `extra_counts`, optionally for one team.
    Daily and monthly active users are people seen (any client activity) in the last 24 hours and 30 days."""
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()
    now = now_ms()
    async with svc.db.read() as db:
        if name == "standard":
            channels = await store.channel_counts(db, team_id)
            return _rows(
                {
                    "channel_open_count": channels.get("O", 0),
                    "channel_private_count": channels.get("P", 0),
                    "post_count": await store.post_count(db, team_id),
                    "unique_user_count": await store.user_count(db, team_id),
                    "team_count": await store.team_count(db),
                    "total_websocket_connections": websocket_connections,
                    "total_master_db_connections": 0,
                    "total_read_db_connections": 0,
                    "daily_active_users": await store.user_count(db, team_id, active_since=now - DAY_MS),
                    "monthly_active_users": await store.user_count(db, team_id, active_since=now - DAYS * DAY_MS),
                    "inactive_user_count": await store.user_count(db, team_id, deactivated=True),
                }
            )
        if name in ("post_counts_day", "user_counts_with_posts_day"):
            since = (now // DAY_MS - DAYS + 1) * DAY_MS  # today and the 29 days before it
            days = await store.per_day(db, team_id, since, distinct_users=name == "user_counts_with_posts_day")
            return [{"name": _date(day), "value": count} for day, count in days]
        if name == "extra_counts":
            return _rows(
                {
                    "file_post_count": await store.file_post_count(db, team_id),
                    "hashtag_post_count": 0,
                    "incoming_webhook_count": await integrations_store.count_live(db, IncomingWebhook, team_id),
                    "outgoing_webhook_count": await integrations_store.count_live(db, OutgoingWebhook, team_id),
                    "command_count": await integrations_store.count_live(db, Command, team_id),
                    "session_count": await store.session_count(db, now),
                }
            )
    raise bad_request("api.analytics.name.app_error", "name is standard, post_counts_day, user_counts_with_posts_day or extra_counts.")
