"""What webhooks and slash commands share: checking the URLs users give the server to call, calling them
through the outbound address checks (D10), and turning an integration's answer (Mattermost's
CommandResponse / outgoing webhook response) into a post or an ephemeral message."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from kafana.access import access_channel, has_system_permission
from kafana.actions import posts
from kafana.actions.context import Actor, Services
from kafana.actions.link_previews import schedule_preview
from kafana.events import Event
from kafana.lib.errors import AppError, forbidden, not_found
from kafana.links import safe_http
from kafana.models import Post
from kafana.store import users as users_store

log = logging.getLogger(__name__)
USER_AGENT = "Mattermost-Bot/1.1"  # what Mattermost sends; some integrations check it
MAX_REPLY_BYTES = 1 << 20
FORM = "application/x-www-form-urlencoded"


def refused(reason: str) -> AppError:
    return AppError(422, "api.integration.url_refused.app_error", "The server will not call this URL.", reason)


async def check_callback_url(svc: Services, url: str) -> str:
    """An http(s) URL whose host resolves to addresses the server may call; 422 otherwise. Checked again at
    each call (the DNS answer may change in between)."""
    try:
        await safe_http.check_url(url, allowed_networks(svc))
    except safe_http.Refused as exc:
        raise refused(str(exc)) from None
    return url


def allowed_networks(svc: Services) -> tuple[safe_http.Network, ...]:
    return safe_http.parse_networks(svc.settings.outbound_allowed_networks)


async def call_out(svc: Services, url: str, fields: dict[str, Any], *, method: str = "POST", as_json: bool = False, token: str = "") -> safe_http.Reply:
    """Send `fields` to an integration's URL (form, JSON body, or query string for GET) within the
    integration timeout; raises safe_http.Refused on a refused address, a failed call or a timeout."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = b""
    if method == "GET":
        url += ("&" if "?" in url else "?") + urlencode(fields, doseq=True)
    elif as_json:
        body, headers["Content-Type"] = json.dumps(fields).encode(), "application/json"
    else:
        body, headers["Content-Type"] = urlencode(fields, doseq=True).encode(), FORM
    return await safe_http.call(
        method, url, body=body, headers=headers, allowed=allowed_networks(svc), seconds=svc.settings.integration_timeout_seconds, limit=MAX_REPLY_BYTES
    )


@dataclass(slots=True)
class Reply:
    """Mattermost's CommandResponse (also the outgoing webhook's answer and the incoming webhook's payload)."""

    text: str = ""
    response_type: str = ""
    username: str = ""
    icon_url: str = ""
    icon_emoji: str = ""  # incoming webhooks only
    channel_id: str = ""
    type: str = ""
    goto_location: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    extra_responses: list[Reply] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "response_type": self.response_type,
            "text": self.text,
            "username": self.username,
            "channel_id": self.channel_id,
            "icon_url": self.icon_url,
            "type": self.type,
            "props": self.props,
            "goto_location": self.goto_location,
            "trigger_id": "",
            "skip_slack_parsing": False,
            "attachments": self.attachments,
            "extra_responses": [r.to_api() for r in self.extra_responses],
        }


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def parse_reply(data: Any, *, depth: int = 0) -> Reply:
    """A reply from decoded JSON; fields of the wrong type are left out, never an error."""
    if not isinstance(data, dict):
        return Reply()
    props = data.get("props")
    attachments = data.get("attachments")
    extras = data.get("extra_responses")
    return Reply(
        text=_str(data, "text"),
        response_type=_str(data, "response_type"),
        username=_str(data, "username"),
        icon_url=_str(data, "icon_url"),
        icon_emoji=_str(data, "icon_emoji"),
        channel_id=_str(data, "channel_id"),
        type=_str(data, "type"),
        goto_location=_str(data, "goto_location"),
        props=props if isinstance(props, dict) else {},
        attachments=[a for a in attachments if isinstance(a, dict)] if isinstance(attachments, list) else [],
        extra_responses=[parse_reply(e, depth=depth + 1) for e in extras[:10]] if isinstance(extras, list) and depth == 0 else [],
    )


def reply_from_http(answer: safe_http.Reply) -> Reply | None:
    """An integration's HTTP answer: JSON is a reply, other text is the reply's text, an error status none."""
    if not 200 <= answer.status < 300:
        return None
    text = answer.body.decode("utf-8", "replace")
    if answer.content_type == "application/json":
        try:
            return parse_reply(json.loads(text))
        except ValueError:
            return None
    return Reply(text=text) if text.strip() else None


def server_props(svc: Services, reply: Reply, *, username: str = "", icon_url: str = "") -> dict[str, Any]:
    """The props that mark a post as an integration's: `from_webhook`, and another name and picture when
    the server allows them (the reply's own, else the integration's defaults)."""
    props: dict[str, Any] = {"from_webhook": "true"}
    name, icon = reply.username or username, reply.icon_url or icon_url
    if name and svc.settings.enable_post_username_override:
        props["override_username"] = name[:64]
    if icon and svc.settings.enable_post_icon_override:
        props["override_icon_url"] = icon[:1024]
    if reply.icon_emoji and svc.settings.enable_post_icon_override:
        props["override_icon_emoji"] = reply.icon_emoji[:64]
    if reply.attachments:
        props["attachments"] = reply.attachments
    return props


def reply_draft(
    svc: Services, reply: Reply, channel_id: str, *, root_id: str = "", username: str = "", icon_url: str = "", post_type: str = ""
) -> posts.PostDraft:
    """The post an integration's reply makes, marked as the integration's."""
    return posts.PostDraft(
        channel_id=channel_id,
        message=reply.text,
        root_id=root_id,
        props=reply.props,
        server_props=server_props(svc, reply, username=username, icon_url=icon_url),
        type=post_type or ("slack_attachment" if reply.attachments else ""),
        integration=True,
    )


async def post_reply(
    svc: Services, actor: Actor, channel_id: str, reply: Reply, *, root_id: str = "", username: str = "", icon_url: str = "", post_type: str = ""
) -> Post:
    """Post an integration's reply as `actor` (the integration's owner or the command's caller)."""
    draft = reply_draft(svc, reply, channel_id, root_id=root_id, username=username, icon_url=icon_url, post_type=post_type)
    async with svc.db.write() as uow:
        post, _ = await posts.create_post_txn(uow, svc, actor, draft)
    schedule_preview(svc, post)
    return post


async def do_create_ephemeral_post(svc: Services, actor: Actor, user_id: str, draft: posts.PostDraft) -> dict[str, Any]:
    """POST /posts/ephemeral (create_post_ephemeral: admins and bots given it): a message shown to one user,
    who must be able to read the channel; nothing is stored."""
    if not has_system_permission(actor, "create_post_ephemeral"):
        raise forbidden()
    message = posts.check_message(draft.message)
    async with svc.db.read() as db:
        user = await users_store.get_user(db, user_id)
        if user is None or user.delete_at:
            raise not_found("user")
        await access_channel(db, Actor(user), draft.channel_id)
    event = posts.ephemeral_event(user_id, draft.channel_id, message, sender=actor.user_id, root_id=draft.root_id, props=posts.check_props(actor, draft.props))
    await send_ephemeral(svc, event)
    return json.loads(event.data["post"])  # type: ignore[no-any-return]


async def send_ephemeral(svc: Services, event: Event) -> None:
    """Publish an ephemeral message (through the write path, so it keeps its place among committed events)."""
    async with svc.db.write() as uow:
        uow.emit(event)
