"""The one-click unsubscribe link of notification emails (Kafana's own; not in Mattermost's API).

GET shows a confirmation page and changes nothing (mail scanners and link previews follow links); POST — the
page's button, or a mail client's RFC 8058 one-click request (`List-Unsubscribe=One-Click`) — turns that
channel's email notifications off. The signed token is the only credential.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from kafana.actions import email_notifications
from kafana.api.deps import ServicesDep
from kafana.mail.compose import unsubscribe_page

router = APIRouter(include_in_schema=False)


def _page(view: email_notifications.Unsubscribe | None, *, done: bool) -> HTMLResponse:
    if view is None:
        return HTMLResponse(unsubscribe_page("en", channel="", done=False, valid=False), status_code=400)
    return HTMLResponse(unsubscribe_page(view.locale, channel=view.channel_title, done=done, valid=True), headers={"Cache-Control": "no-store"})


@router.get("/email/unsubscribe")
async def unsubscribe_form(svc: ServicesDep, token: str = "") -> HTMLResponse:
    return _page(await email_notifications.check_unsubscribe(svc, token[:128]), done=False)


@router.post("/email/unsubscribe")
async def unsubscribe(svc: ServicesDep, token: str = "") -> HTMLResponse:
    return _page(await email_notifications.do_unsubscribe(svc, token[:128]), done=True)
