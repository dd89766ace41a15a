"""`kafana serve | db upgrade | user create | team create | config show`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from kafana.actions.job_runs import IMPORT_COUNTS
from kafana.cli.admin import admin_app
from kafana.cli.common import ConfigFile, DataDir, prepare, run_with_services, settings_for
from kafana.config import Settings

app = typer.Typer(no_args_is_help=True, help="Kafana, a team chat server that speaks the Mattermost API v4.")
db_app = typer.Typer(no_args_is_help=True, help="Database maintenance.")
user_app = typer.Typer(no_args_is_help=True, help="Manage accounts.")
team_app = typer.Typer(no_args_is_help=True, help="Manage teams.")
config_app = typer.Typer(no_args_is_help=True, help="Inspect settings.")
retention_app = typer.Typer(no_args_is_help=True, help="Data retention.")
export_app = typer.Typer(no_args_is_help=True, help="Export data.")
import_app = typer.Typer(no_args_is_help=True, help="Import data.")
bridge_app = typer.Typer(no_args_is_help=True, help="Bridges to IRC, Telegram and Discord (a running server picks changes up within seconds).")
bridge_add_app = typer.Typer(no_args_is_help=True, help="Map a remote channel to a Kafana channel.")
bridge_app.add_typer(bridge_add_app, name="add")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(team_app, name="team")
app.add_typer(config_app, name="config")
app.add_typer(retention_app, name="retention")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(admin_app, name="admin")
app.add_typer(bridge_app, name="bridge")


@app.command()
def serve(
    data_dir: DataDir = None,
    config: ConfigFile = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 8065).")] = None,
) -> None:
    """Run the server; creates the data directory and migrates the database first."""
    import uvicorn

    from kafana.main import WEBSOCKET_SERVER_OPTIONS, create_app

    settings = settings_for(data_dir, config, host=host, port=port)
    asyncio.run(prepare(settings))
    where = "PostgreSQL" if not settings.is_sqlite else f"SQLite in {settings.data_dir.resolve()}"
    typer.echo(f"Kafana on http://{settings.host}:{settings.port} ({where})", err=True)
    typer.echo("The first account that signs up becomes the system admin; or run: kafana user create --system-admin", err=True)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        **WEBSOCKET_SERVER_OPTIONS,
    )


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Apply every pending migration."""
    asyncio.run(prepare(settings_for(data_dir, config)))
    typer.echo("Database is up to date.")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(prompt=True)],
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    system_admin: Annotated[bool, typer.Option("--system-admin", help="Make the account a system admin.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create an account."""
    from kafana.actions.users import do_create_user
    from kafana.models.actor import SYSTEM

    data = {"username": username, "email": email, "password": password}
    user = run_with_services(settings_for(data_dir, config), lambda svc: do_create_user(svc, SYSTEM, data, system_admin=system_admin))
    typer.echo(f"Created user {user.username} ({user.id}) with roles: {user.roles}")


@team_app.command("create")
def team_create(
    name: Annotated[str, typer.Option(help="The team's URL name: lowercase letters, digits and '-'.")],
    display_name: Annotated[str, typer.Option("--display-name", help="The name people see.")],
    team_type: Annotated[str, typer.Option("--type", help="O (open: anyone may join) or I (invite only).")] = "O",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Create a team with its town-square and off-topic channels."""
    from kafana.actions.teams import TeamDraft, do_create_team
    from kafana.models.actor import SYSTEM

    draft = TeamDraft(name=name.strip().lower(), display_name=display_name, type=team_type.upper(), allow_open_invite=team_type.upper() == "O")
    view = run_with_services(settings_for(data_dir, config), lambda svc: do_create_team(svc, SYSTEM, draft))
    typer.echo(f"Created team {view.team.name} ({view.team.id})")


@config_app.command("show")
def config_show(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Print the effective settings (secrets masked)."""
    settings = settings_for(data_dir, config)
    typer.echo(json.dumps(settings.masked(), indent=2, sort_keys=True))


@retention_app.command("run")
def retention_run(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Delete expired messages and files now (the server also does it every `retention_job_minutes`)."""
    from kafana.actions.retention import RetentionRun, do_run_retention

    def show(run: RetentionRun) -> None:
        typer.echo(f"\r{run.channels_done}/{run.channels} channels, {run.posts:,} posts and {run.files:,} files deleted", nl=False, err=True)

    done = run_with_services(settings_for(data_dir, config), lambda svc: do_run_retention(svc, progress=show))
    typer.echo("" if done.channels else "No retention policy applies: nothing to delete.", err=True)
    typer.echo(f"Deleted {done.posts} posts and {done.files} files in {done.channels} channels.")


@export_app.command("bulk")
def export_bulk(
    target: Annotated[Path, typer.Argument(help="The .zip to write.")],
    team: Annotated[list[str] | None, typer.Option("--team", help="Only this team (repeatable); default: the whole server.")] = None,
    attachments: Annotated[bool, typer.Option(help="Include files and emoji images.")] = True,
    include_private: Annotated[bool, typer.Option("--include-private", help="Also private channels and direct/group messages.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Write Mattermost's bulk export format (import.jsonl and data/ in a zip)."""
    from kafana.actions.bulk_export import ExportProgress
    from kafana.actions.bulk_export import export_bulk as run

    def show(p: ExportProgress) -> None:
        typer.echo(f"\r{p.lines:,} lines, {p.posts:,} posts, {p.files:,} files", nl=False, err=True)

    done = run_with_services(
        settings_for(data_dir, config),
        lambda svc: run(svc, target, team_names=team or (), attachments=attachments, include_private=include_private, report=show),
    )
    typer.echo("", err=True)
    typer.echo(f"Exported {done.lines} lines ({done.posts} posts, {done.files} files) to {target}")


def _import_summary(n: dict[str, int]) -> str:
    return (
        f"Imported {n['teams']} teams, {n['channels']} channels, {n['users']} users, {n['posts']} posts, {n['reactions']} reactions, "
        f"{n['files']} files ({n['skipped']} posts were already there)."
    )


def _import_as_job(settings: Settings, source: Path, **extra: str) -> None:
    """Run an import here as an `import_process` job (the console's job list shows it) with a progress line; a
    bad line stops it with its number (what came before stays)."""
    from kafana.actions.job_runs import do_run_job
    from kafana.models import BackgroundJob
    from kafana.models.actor import SYSTEM

    def show(job: BackgroundJob) -> None:
        n = job.to_api()["data"]
        typer.echo(
            f"\rline {n.get('line_number', '0')}: {n.get('users', '0')} users, {n.get('channels', '0')} channels, {n.get('posts', '0')} posts",
            nl=False,
            err=True,
        )

    if not source.is_file():
        typer.echo(f"error: {source} is not a file", err=True)
        raise typer.Exit(1)
    data = {"import_file": str(source.resolve()), **extra}
    job = run_with_services(settings, lambda svc: do_run_job(svc, SYSTEM, "import_process", data, report=show))
    done = job.to_api()["data"]
    if job.status != "success":
        typer.echo(f"\nerror: {done.get('error', job.status)} (what came before it is imported; fix the line and run again)", err=True)
        raise typer.Exit(1)
    typer.echo("", err=True)
    typer.echo(_import_summary({k: int(done.get(k, 0)) for k in IMPORT_COUNTS}))


@import_app.command("bulk")
def import_bulk(
    source: Annotated[Path, typer.Argument(help="A Mattermost bulk export: a .zip (with data/) or a .jsonl.")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Import Mattermost's bulk format as an `import_process` job (the console's job list shows its progress).
    Safe to run again: what is already there is skipped."""
    _import_as_job(settings_for(data_dir, config), source)


@import_app.command("slack")
def import_slack(
    source: Annotated[Path, typer.Argument(help="A Slack workspace export (.zip).")],
    team: Annotated[str, typer.Option(help="The Kafana team (URL name) to import into; made if missing.")],
    display_name: Annotated[str, typer.Option("--display-name", help="The team's display name when it is made.")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Import a Slack export: users, channels, threads, reactions and DMs (file bytes are not in Slack exports)."""
    _import_as_job(settings_for(data_dir, config), source, format="slack", team=team, display_name=display_name)


ChannelRef = Annotated[str, typer.Option("--channel", help="The Kafana channel: TEAM/CHANNEL (URL names).")]


def _add_bridge(kind: str, channel: str, config: dict[str, Any], data_dir: Path | None, settings_file: Path | None, label: str) -> None:
    from kafana.actions.bridges import do_add_bridge
    from kafana.models.actor import SYSTEM

    bridge = run_with_services(settings_for(data_dir, settings_file), lambda svc: do_add_bridge(svc, SYSTEM, kind, channel, config, label=label))
    typer.echo(f"Added {kind} bridge {bridge.id} to {channel}")


@bridge_add_app.command("irc")
def bridge_add_irc(
    server: Annotated[str, typer.Option(help="The IRC server, HOST:PORT (port 6697 with --tls, else 6667).")],
    nick: Annotated[str, typer.Option(help="The bridge's nick (a _ is appended while it is taken).")],
    irc_channel: Annotated[str, typer.Option("--irc-channel", help="The IRC channel, e.g. '#wikimedia'.")],
    channel: ChannelRef,
    tls: Annotated[bool, typer.Option("--tls", help="Connect with TLS.")] = False,
    sasl_user: Annotated[str, typer.Option("--sasl-user", help="SASL PLAIN account.")] = "",
    sasl_password: Annotated[str, typer.Option("--sasl-password", help="SASL PLAIN password.")] = "",
    network: Annotated[str, typer.Option(help="The network's name shown with bridged messages (default: the server's).")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Bridge an IRC channel."""
    irc = {"server": server, "tls": tls, "nick": nick, "channel": irc_channel, "sasl_user": sasl_user, "sasl_password": sasl_password, "network": network}
    _add_bridge("irc", channel, irc, data_dir, config, f"IRC {irc_channel}")


@bridge_add_app.command("telegram")
def bridge_add_telegram(
    token: Annotated[str, typer.Option(help="The bot's token from @BotFather (add the bot to the group; turn its privacy mode off).")],
    chat_id: Annotated[str, typer.Option("--chat-id", help="The group's numeric chat id, e.g. -1001234567890.")],
    channel: ChannelRef,
    api_url: Annotated[str, typer.Option("--api-url", help="Another Bot API server (default https://api.telegram.org).")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Bridge a Telegram group."""
    _add_bridge("telegram", channel, {"token": token, "chat_id": chat_id, "api_url": api_url}, data_dir, config, f"Telegram {chat_id}")


@bridge_add_app.command("discord")
def bridge_add_discord(
    token: Annotated[str, typer.Option(help="The Discord bot's token (it needs the Message Content intent).")],
    discord_channel: Annotated[str, typer.Option("--discord-channel", help="The Discord channel's id.")],
    channel: ChannelRef,
    api_url: Annotated[str, typer.Option("--api-url", help="Another REST API base (default https://discord.com/api/v10).")] = "",
    gateway_url: Annotated[str, typer.Option("--gateway-url", help="Another Gateway (default: the one the REST API names).")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Bridge a Discord channel."""
    discord = {"token": token, "channel_id": discord_channel, "api_url": api_url, "gateway_url": gateway_url}
    _add_bridge("discord", channel, discord, data_dir, config, f"Discord {discord_channel}")


@bridge_app.command("list")
def bridge_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Print the bridges (id, kind, channel id, enabled, settings without secrets)."""
    from kafana.actions.bridges import list_bridges
    from kafana.models.actor import SYSTEM

    for bridge in run_with_services(settings_for(data_dir, config), lambda svc: list_bridges(svc, SYSTEM)):
        shown = " ".join(f"{key}={value}" for key, value in sorted(bridge.public_config().items()))
        typer.echo(f"{bridge.id}  {bridge.kind}  channel={bridge.channel_id}  {'enabled' if bridge.enabled else 'disabled'}  {shown}")


@bridge_app.command("remove")
def bridge_remove(
    bridge_id: Annotated[str, typer.Argument(help="The bridge's id (see `kafana bridge list`).")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Remove a bridge; its bot is deactivated, the messages it relayed stay."""
    from kafana.actions.bridges import do_remove_bridge
    from kafana.models.actor import SYSTEM

    run_with_services(settings_for(data_dir, config), lambda svc: do_remove_bridge(svc, SYSTEM, bridge_id))
    typer.echo(f"Removed bridge {bridge_id}")


def main() -> None:
    app()
