"""Settings: TOML `[section] name` and environment `KAFANA_SECTION_NAME`, one flat namespace.

Precedence: defaults < TOML file (`KAFANA_CONFIG` or `--config`) < environment.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SECRET_SETTINGS = ("smtp_password", "s3_secret_access_key", "sso_openid_client_secret", "sso_mediawiki_client_secret")


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Path("kafana-data")
    database_url: str = ""  # empty: SQLite file inside data_dir
    redis_url: str = ""  # set: events travel between nodes over Redis pub/sub (several nodes)
    redis_channel_prefix: str = "kafana"  # nodes sharing a Redis but not a database use different prefixes
    site_url: str = "http://localhost:8065"
    site_name: str = Field(default="Kafana", min_length=1, max_length=64)
    host: str = "127.0.0.1"
    port: int = 8065

    rate_limit_enabled: bool = True
    rate_limit_per_sec: float = 10.0
    rate_limit_max_burst: int = 100

    # open: anyone signs up; invite: only with a team invite link or an email invitation (the first account,
    # the admin, is always allowed); closed: only admins create accounts.
    signup_mode: Literal["open", "invite", "closed"] = "invite"
    invite_permission: Literal["members", "team_admins", "system_admins"] = "members"  # who may invite people
    invite_expiry_hours: int = Field(default=48, ge=1)  # email invitations (one-time) expire after this long
    signup_approval: bool = False  # self-made accounts wait, deactivated, until an admin activates them
    guest_accounts_enabled: bool = True  # guests: invited into chosen channels, they see nothing else
    mfa_enabled: bool = True  # users may turn on two-factor authentication (TOTP)
    mfa_enforced: bool = False  # password accounts must: until they do, every other route answers 403
    maximum_login_attempts: int = 10
    session_length_days: int = Field(default=30, ge=1)
    session_idle_timeout_minutes: int = Field(default=43200, ge=0)  # 0: no idle limit
    enable_personal_access_tokens: bool = True
    bot_creation: Literal["off", "admins", "members"] = "admins"  # who may create bot accounts (POST /bots)
    # Argon2id cost: OWASP's recommended m=19 MiB, t=2, p=1 (~30 ms a login here); 64 MiB per hash would
    # dominate a small server's peak memory. Tests lower it further.
    password_hash_memory_kib: int = 19456
    password_hash_time_cost: int = 2

    # Presence across nodes: every node refreshes its users' presence rows this often; rows three beats old
    # belong to a dead node. Users idle this long (no activity from any client) are shown away.
    presence_heartbeat_seconds: float = Field(default=30.0, gt=0)
    presence_away_after_seconds: int = Field(default=300, gt=0)

    # Single sign-on. `openid`: any OpenID Connect provider (discovery URL); `mediawiki`: a MediaWiki wiki's
    # OAuth 2 (e.g. https://meta.wikimedia.org), whose accounts keep their wiki username. Each is on when its
    # client id is set; Mattermost's apps show the OpenID button for `openid`, or for `mediawiki` when alone.
    sso_openid_discovery_url: str = ""
    sso_openid_client_id: str = ""
    sso_openid_client_secret: str = ""
    sso_openid_button_text: str = "OpenID Connect"
    sso_openid_username_claim: str = "preferred_username"
    sso_mediawiki_url: str = "https://meta.wikimedia.org"
    sso_mediawiki_client_id: str = ""
    sso_mediawiki_client_secret: str = ""
    sso_mediawiki_button_text: str = "Wikimedia"
    sso_mediawiki_scope: str = ""  # MediaWiki takes the grants from the consumer's registration

    sqlite_synchronous: Literal["normal", "full"] = "normal"
    # A search statement running longer than this is stopped and answered with a 503 (app.search.timeout.app_error).
    search_timeout_ms: int = Field(default=10_000, gt=0)
    # Client addresses kept in sessions and the audit log: none, truncated (/24, /48) or full; erased after
    # privacy_ip_retention_days. No route shows one user's address to another.
    privacy_store_ip: Literal["none", "truncated", "full"] = "truncated"
    privacy_ip_retention_days: int = Field(default=30, ge=0)

    # Outgoing email (notifications, verification, password reset, invitations). Off while smtp_host is empty:
    # the routes that need mail then answer 501. `tls`: implicit TLS (port 465); `starttls`: upgrade (587).
    smtp_host: str = ""
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    email_from: str = "kafana@localhost"
    email_from_name: str = ""  # empty: site_name
    # Accounts must confirm their address (a link by email) before they can log in (needs smtp_host).
    require_email_verification: bool = False
    # Data retention: messages (with their files) and files older than this many days are deleted for real;
    # 0 keeps them. `retention_file_days` 0 means files follow messages. Teams and channels can have their
    # own policies (/data_retention/policies). The job runs every `retention_job_minutes`, on one node.
    retention_message_days: int = Field(default=0, ge=0)
    retention_file_days: int = Field(default=0, ge=0)
    retention_job_minutes: float = Field(default=60.0, gt=0)
    # Moderation: the code of conduct shown at sign-up and in the welcome message the system bot sends each new
    # account (none when empty); the public, anonymised log of moderators' actions (GET /kafana/moderation/log).
    # Moderators are system admins and users given the `system_moderator` role.
    code_of_conduct_url: str = ""
    moderation_public_log: bool = False
    # Files: uploads, thumbnails, profile pictures and emoji. `local` keeps them under files_directory
    # (default data_dir/files); `s3` in an S3-compatible bucket (several nodes share it).
    files_backend: Literal["local", "s3"] = "local"
    files_directory: Path | None = None
    s3_bucket: str = ""
    s3_endpoint_url: str = ""  # empty: AWS; set for MinIO, Ceph, Garage, moto…
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_prefix: str = ""  # keys are stored under this prefix (several installs may share a bucket)
    s3_addressing_style: Literal["path", "virtual", "auto"] = "path"
    max_file_size: int = Field(default=104_857_600, gt=0)  # bytes per uploaded file (Mattermost's MaxFileSize, 100 MiB)
    max_image_pixels: int = Field(default=7680 * 4320, gt=0)  # larger images are stored without thumbnails (Mattermost's 33 MP)
    user_file_quota: int = Field(default=0, ge=0)  # bytes one user's live files may total; 0: no limit
    enable_public_links: bool = False
    enable_link_previews: bool = True
    enable_image_proxy: bool = True
    # Outgoing fetches (link previews, the image proxy) refuse loopback, private, link-local… addresses.
    # Comma-separated networks listed here are allowed anyway: for tests and closed intranets only.
    outbound_allowed_networks: str = ""
    # Integrations (Mattermost's EnableIncomingWebhooks, EnableOutgoingWebhooks, EnableCommands): each off
    # answers 501. Webhooks and commands may show another name and picture than their creator's only when the
    # overrides are on (EnablePostUsernameOverride, EnablePostIconOverride). Their callbacks go through the
    # same address checks as link previews (outbound_allowed_networks is Mattermost's
    # AllowedUntrustedInternalConnections) and are given `integration_timeout_seconds` in all.
    enable_incoming_webhooks: bool = True
    enable_outgoing_webhooks: bool = True
    enable_commands: bool = True
    enable_post_username_override: bool = False
    enable_post_icon_override: bool = False
    integration_timeout_seconds: float = Field(default=30.0, gt=0)
    # Mobile push: the Mattermost push proxy (e.g. https://push.mattermost.com or a self-hosted
    # mattermost-push-proxy). `push_id_only`: pushes carry ids only, the app fetches the text from the server.
    push_proxy_url: str = ""
    push_id_only: bool = False
    push_poll_seconds: float = Field(default=2.0, gt=0)  # how often the outbox is worked
    bridge_poll_seconds: float = Field(default=2.0, gt=0)  # how soon bridges added or removed elsewhere start or stop

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL: postgresql:// is mapped to asyncpg, empty means SQLite in data_dir."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{(self.data_dir / 'kafana.db').resolve()}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url[len("sqlite://") :]
        return url

    def masked(self) -> dict[str, Any]:
        """The settings as JSON values with secrets hidden (`kafana config show`, the audit log)."""
        values = self.model_dump(mode="json")
        for key in SECRET_SETTINGS:
            if values.get(key):
                values[key] = "********"
        for key in ("database_url", "redis_url"):
            if "@" in values.get(key, ""):
                scheme, rest = values[key].split("://", 1)
                values[key] = f"{scheme}://********@{rest.rsplit('@', 1)[1]}"
        return values

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @model_validator(mode="after")
    def _verification_needs_mail(self) -> Settings:
        if self.require_email_verification and not self.smtp_host:
            raise ValueError("require_email_verification needs smtp_host: nobody could verify an address")
        return self

    @property
    def files_root(self) -> Path:
        return self.files_directory or self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}".replace("-", "_").lower()
        if isinstance(value, dict):
            out.update(_flatten(value, name + "_"))
        else:
            out[name] = value
    return out


def load_settings(config_file: str | Path | None = None, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from a TOML file, the environment and explicit overrides (CLI flags)."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    path = config_file or env.get("KAFANA_CONFIG")
    if path:
        with open(path, "rb") as fh:
            values.update(_flatten(tomllib.load(fh)))
    fields = Settings.model_fields
    for key, value in env.items():
        if key.startswith("KAFANA_") and key != "KAFANA_CONFIG":
            name = key[len("KAFANA_") :].lower()
            if name in fields:
                values[name] = value
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise SystemExit(f"kafana: unknown setting(s): {', '.join(unknown)}")
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise SystemExit(f"kafana: invalid settings:\n{exc}") from None
