"""The emails Kafana sends, as plain text and HTML in the reader's language, and their MIME form.

Everything users wrote (messages, names, channel and team names) is escaped in the HTML part; links are
built by the caller from ids and the site URL.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kafana.mail.catalog import RTL, match_locale, translate


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MessageLine:
    sender: str
    at: str  # local time, already formatted
    text: str
    link: str


@dataclass(frozen=True, slots=True)
class ChannelSection:
    title: str
    messages: Sequence[MessageLine]
    unsubscribe_link: str


def local_time(at_ms: int, timezone: str) -> str:
    """`YYYY-MM-DD HH:MM` in the reader's time zone (UTC when unknown)."""
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return datetime.fromtimestamp(at_ms / 1000, zone).strftime("%Y-%m-%d %H:%M")


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def _page(locale: str, title: str, body: str) -> str:
    code = match_locale(locale)
    direction = "rtl" if code in RTL else "ltr"
    return (
        f'<!DOCTYPE html><html lang="{code}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title></head>'
        '<body style="font-family: sans-serif; color: #1f2328; max-width: 40em; margin: 1em auto; padding: 0 1em">'
        f"{body}</body></html>"
    )


def _button(link: str, label: str) -> str:
    return f'<p><a href="{_e(link)}" style="display: inline-block; padding: 0.6em 1.2em; background: #1c58d9; color: #fff; text-decoration: none; border-radius: 4px">{_e(label)}</a></p>'


def _simple(locale: str, subject: str, paragraphs: Sequence[str], link: str, label: str, footer: str) -> Rendered:
    """A one-link email: some paragraphs, the link as a button, a closing line."""
    closing = [footer] if footer else []
    text = "\n\n".join([*paragraphs, f"{label}: {link}", *closing]) + "\n"
    body = "".join(f"<p>{_e(p)}</p>" for p in paragraphs) + _button(link, label) + "".join(f'<p style="color: #59636e">{_e(c)}</p>' for c in closing)
    return Rendered(subject, text, _page(locale, subject, body))


def notification_mail(locale: str, site: str, sections: Sequence[ChannelSection]) -> Rendered:
    """One batch: the messages grouped by channel, each with its permalink, and per channel an unsubscribe link.
    With a single channel, that channel's unsubscribe link is also the List-Unsubscribe header."""
    t = partial(translate, locale)
    subject = t("notify.subject", site=site)
    intro = t("notify.intro", site=site)
    lines = [intro, ""]
    parts = [f"<p>{_e(intro)}</p>"]
    for section in sections:
        lines += [f"== {section.title} ==", ""]
        parts.append(f'<h2 style="font-size: 1.1em; border-bottom: 1px solid #d1d9e0">{_e(section.title)}</h2>')
        for message in section.messages:
            lines += [f"{message.sender} ({message.at}):", message.text, f"{t('notify.view')}: {message.link}", ""]
            parts.append(
                f'<p><strong>{_e(message.sender)}</strong> <span style="color: #59636e">{_e(message.at)}</span><br>'
                f'<span style="white-space: pre-wrap">{_e(message.text)}</span><br>'
                f'<a href="{_e(message.link)}">{_e(t("notify.view"))}</a></p>'
            )
        stop = t("notify.unsubscribe", channel=section.title)
        lines += [f"{stop}: {section.unsubscribe_link}", ""]
        parts.append(f'<p style="font-size: 0.9em"><a href="{_e(section.unsubscribe_link)}">{_e(stop)}</a></p>')
    why = t("notify.why")
    lines.append(why)
    parts.append(f'<p style="color: #59636e; font-size: 0.9em">{_e(why)}</p>')
    headers: dict[str, str] = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    if len(sections) == 1:
        headers["List-Unsubscribe"] = f"<{sections[0].unsubscribe_link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Rendered(subject, "\n".join(lines) + "\n", _page(locale, subject, "".join(parts)), headers)


def verification_mail(locale: str, site: str, email: str, link: str) -> Rendered:
    t = partial(translate, locale)
    return _simple(locale, t("verify.subject", site=site), [t("verify.body", email=email, site=site)], link, t("verify.button"), t("verify.ignore"))


def password_reset_mail(locale: str, site: str, username: str, link: str) -> Rendered:
    t = partial(translate, locale)
    return _simple(locale, t("reset.subject", site=site), [t("reset.body", site=site, username=username)], link, t("reset.button"), t("reset.ignore"))


def invitation_mail(locale: str, site: str, inviter: str, team: str, link: str) -> Rendered:
    t = partial(translate, locale)
    subject = t("invite.subject", site=site, inviter=inviter, team=team)
    return _simple(locale, subject, [t("invite.body", inviter=inviter, team=team, site=site)], link, t("invite.button"), "")


def unsubscribe_page(locale: str, *, channel: str, done: bool, valid: bool) -> str:
    """What the unsubscribe link shows: a confirmation button (a GET changes nothing: mail scanners follow
    links), then the outcome. The form posts back to the same address."""
    t = partial(translate, locale)
    if not valid:
        message = t("unsub.invalid")
        return _page(locale, message, f"<p>{_e(message)}</p>")
    if done:
        message = t("unsub.done", channel=channel)
        return _page(locale, message, f"<p>{_e(message)}</p>")
    question = t("unsub.confirm", channel=channel)
    form = f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{_e(t("unsub.button"))}</button></form>'
    return _page(locale, question, f"<p>{_e(question)}</p>{form}")


def mime_message(rendered: Rendered, *, to: str, message_id: str, from_address: str, from_name: str, created_ms: int) -> EmailMessage:
    """The message as sent: multipart/alternative (text, then HTML), with a Message-ID fixed by the outbox row,
    so that a retry after an unknown outcome can be recognised as the same message by the receiving side."""
    msg = EmailMessage()
    msg["Subject"] = rendered.subject
    msg["From"] = formataddr((from_name, from_address))
    msg["To"] = to
    msg["Date"] = format_datetime(datetime.fromtimestamp(created_ms / 1000, UTC))
    msg["Message-ID"] = message_id
    for name, value in rendered.headers.items():
        msg[name] = value
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg
