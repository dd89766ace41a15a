"""Field limits and shape checks shared by every writer (Mattermost's model.IsValid rules)."""

from __future__ import annotations

import re
import unicodedata

from kafana.lib.errors import AppError, bad_request

POST_MESSAGE_MAX_RUNES = 16383
POST_PROPS_MAX_BYTES = 800_000
MAX_REACTIONS_PER_POST = 50
REQUEST_BODY_MAX_BYTES = 300_000

USERNAME_RE = re.compile(r"^[a-z0-9.\-_]{1,64}$")
RESERVED_USERNAMES = frozenset({"all", "channel", "here", "matterbot", "system", "valid"})
CHANNEL_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-_]*[a-z0-9]+)?$")
TEAM_NAME_RE = re.compile(r"^[a-z0-9]+([a-z0-9\-]*[a-z0-9]+)?$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
EMOJI_NAME_RE = re.compile(r"^[a-zA-Z0-9\-+_]{1,64}$")

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_BYTES = 72


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
    """Explicit reasons, never silent truncation (argon2 has no 72-byte limit, but we keep Mattermost's)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AppError(400, "model.user.is_valid.pwd_length.app_error", f"Your password must contain at least {PASSWORD_MIN_LENGTH} characters.")
    if len(password.encode()) > PASSWORD_MAX_BYTES:
        raise AppError(400, "model.user.is_valid.pwd_max_length.app_error", f"Your password must be at most {PASSWORD_MAX_BYTES} bytes long.")
    if password.lower() in COMMON_PASSWORDS:
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


# The most common breached passwords of at least 8 characters; a short list on purpose (ASVS 2.1.7).
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "password123",
        "qwertyuiop",
        "11111111",
        "00000000",
        "87654321",
        "iloveyou1",
        "sunshine1",
        "princess1",
        "football1",
        "baseball1",
        "superman1",
        "trustno1",
        "welcome1",
        "letmein1",
        "abc12345",
        "qwerty123",
        "1q2w3e4r",
        "1qaz2wsx",
        "zaq12wsx",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "admin123",
        "administrator",
        "changeme",
        "qwertyui",
        "asdfghjkl",
        "zxcvbnm1",
        "12341234",
        "11223344",
        "12121212",
        "987654321",
        "123123123",
        "password12",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "starwars",
        "whatever",
        "dragon12",
        "monkey12",
        "master12",
    ]
)
