"""The built-in slash commands' words, in the user's language where a translation exists (English otherwise);
languages are matched as for emails (mail/catalog.py). Placeholders are `str.format` fields."""

from __future__ import annotations

from kafana.mail.catalog import match_locale

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "join.desc": "Join the open channel",
        "join.hint": "~channel",
        "leave.desc": "Leave the current channel",
        "me.desc": "Do an action",
        "me.hint": "message",
        "shrug.desc": "Adds ¯\\_(ツ)_/¯ to your message",
        "shrug.hint": "message",
        "msg.desc": "Send a direct message to a user",
        "msg.hint": "@username message",
        "invite.desc": "Invite a user to a channel",
        "invite.hint": "@username ~channel",
        "kick.desc": "Remove a member from the channel",
        "kick.hint": "@username",
        "away.desc": "Set your status away",
        "online.desc": "Set your status online",
        "dnd.desc": "Do not disturb: no desktop or mobile notifications",
        "offline.desc": "Set your status offline",
        "header.desc": "Edit the channel header",
        "header.hint": "text",
        "purpose.desc": "Edit the channel purpose",
        "purpose.hint": "text",
        "rename.desc": "Rename the channel",
        "rename.hint": "text",
        "mute.desc": "Turn off desktop, email and push notifications for the current channel or the channel given",
        "mute.hint": "~channel",
        "search.desc": "Search text in messages",
        "search.hint": "text",
        "help.desc": "Show the commands",
        "status.away": "You are now away.",
        "status.online": "You are now online.",
        "status.dnd": "Do Not Disturb is on: you will not get desktop or mobile notifications until you turn it off.",
        "status.offline": "You are now offline.",
        "usage": "Usage: /{trigger} {hint}",
        "no_channel": "Could not find the channel {name}.",
        "no_user": "Could not find the user {name}.",
        "invited": "{user} added to {channel}.",
        "muted": "You will not get notifications for {channel} until you unmute it.",
        "unmuted": "{channel} is no longer muted.",
        "search.none": "No messages found for “{terms}”.",
        "search.found": "Messages found for “{terms}”:",
        "help.title": "Commands you can use:",
        "unknown": "Command with a trigger of “/{trigger}” not found. To send a message beginning with “/”, add a space at its start.",
        "failed": "Command with a trigger of “/{trigger}” failed.",
    },
}


def say(locale: str, key: str, **values: str) -> str:
    table = STRINGS.get(match_locale(locale), STRINGS["en"])
    return table.get(key, STRINGS["en"][key]).format(**values)
