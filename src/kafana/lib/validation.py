"""Field limits and shape checks shared by every writer (Mattermost's model.IsValid rules)."""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from kafana.lib.errors import AppError, bad_request

POST_MESSAGE_MAX_RUNES = 16383
POST_PROPS_MAX_BYTES = 800_000
MAX_REACTIONS_PER_POST = 50
REQUEST_BODY_MAX_BYTES = 300_000

USERNAME_RE = re.compile(r"^[a-z0-9.\-_]{1,64}$")
RESERVED_USERNAMES = frozenset({"all", "channel", "here", "matterbot", "system", "system-bot", "valid"})
CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-_]*[a-z0-9]+)?$")
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-]*[a-z0-9]+)?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
EMOJI_NAME_RE = re.compile(r"^[a-zA-Z0-9\-+_]{1,64}$")

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256  # characters; argon2 hashes all of them (bcrypt's silent 72-byte cut does not apply)


def check_length(field: str, value: str, maximum: int, *, minimum: int = 0, entity: str = "model") -> str:
    n = len(value)
    if n < minimum or n > maximum:
        raise bad_request(
            f"model.{entity}.is_valid.{field}.app_error",
            f"Invalid {field}: it must be between {minimum} and {maximum} characters.",
        )
    return value


def check_username(username: str) -> str:
    if not USERNAME_RE.match(username) or not username[0].isalpha() or username in RESERVED_USERNAMES:
        raise bad_request(
            "model.user.is_valid.username.app_error",
            "Username must begin with a letter and contain between 1 and 64 lowercase characters made up of numbers, letters, and the symbols '.', '-', and '_'.",
        )
    return username


def check_email(email: str) -> str:
    if len(email) > 128 or not EMAIL_RE.match(email):
        raise bad_request("model.user.is_valid.email.app_error", "Invalid email.")
    return email


def check_password(password: str) -> str:
    """8 to 256 characters, not a common password: each refusal says why; nothing is ever truncated."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AppError(400, "model.user.is_valid.pwd_length.app_error", f"Your password must contain at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AppError(400, "model.user.is_valid.pwd_max_length.app_error", f"Your password must be at most {PASSWORD_MAX_LENGTH} characters long.")
    if password.lower() in common_passwords():
        raise AppError(400, "model.user.is_valid.pwd_common.app_error", "This password is too common; please choose another.")
    return password


def check_channel_name(name: str) -> str:
    if not (1 <= len(name) <= 64) or not CHANNEL_NAME_RE.match(name) or "__" in name:
        raise bad_request("model.channel.is_valid.name.app_error", "Name must be 1 to 64 lowercase alphanumeric characters.")
    return name


def check_team_name(name: str) -> str:
    if not (2 <= len(name) <= 64) or not TEAM_NAME_RE.match(name):
        raise bad_request("model.team.is_valid.name.app_error", "Name must be 2 to 64 lowercase alphanumeric characters.")
    return name


def clean_text(text: str) -> str:
    """Drop NUL and other C0 controls except tab/newline: they break databases and terminals. Lone surrogates
    (JSON allows "\\ud800") cannot be encoded as UTF-8 and become U+FFFD."""
    if text.isprintable():
        return text
    return "".join(("\ufffd" if unicodedata.category(c) == "Cs" else c) for c in text if c in "\t\n\r" or unicodedata.category(c) != "Cc")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common breached passwords (ASVS 2.1.7), read once."""
    text = resources.files("kafana.lib").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
