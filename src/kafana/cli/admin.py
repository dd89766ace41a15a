"""`kafana admin …`: the system console's work from a shell, done as the system through the same actions (and
so the same checks, events and audit entries) as the console's. Users are named by username, teams by URL
name, channels as TEAM/CHANNEL."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from kafana.actions import channels, job_runs, mfa, teams, users
from kafana.actions.context import Services
from kafana.cli.common import ConfigFile, DataDir, run_with_services, settings_for
from kafana.lib.errors import not_found
from kafana.models import BackgroundJob, Channel, User
from kafana.models.actor import SYSTEM

T = TypeVar("T")

admin_app = typer.Typer(no_args_is_help=True, help="Administer a server (as the system).")
settings_app = typer.Typer(no_args_is_help=True, help="Settings that change without a restart.")
user_app = typer.Typer(no_args_is_help=True, help="Accounts: search, roles, deactivate, reset MFA.")
team_app = typer.Typer(no_args_is_help=True, help="Teams: list, archive.")
channel_app = typer.Typer(no_args_is_help=True, help="Channels (TEAM/CHANNEL): list, archive, move, privacy.")
job_app = typer.Typer(no_args_is_help=True, help="Background jobs: run one now, list runs.")
for sub, name in ((settings_app, "settings"), (user_app, "user"), (team_app, "team"), (channel_app, "channel"), (job_app, "job")):
    admin_app.add_typer(sub, name=name)

Username = Annotated[str, typer.Argument(help="A username (with or without @).")]
TeamName = Annotated[str, typer.Argument(help="A team's URL name.")]
ChannelPath = Annotated[str, typer.Argument(help="TEAM/CHANNEL: the team's and the channel's URL names.")]


def _run(data_dir: Any, config: Any, work: Callable[[Services], Awaitable[T]]) -> T:
    return run_with_services(settings_for(data_dir, config), work)


async def _user(svc: Services, username: str) -> User:
    found = await users.get_users_by_usernames(svc, SYSTEM, [username.lstrip("@")])
    if not found:
        raise not_found("user")
    return found[0]


async def _channel(svc: Services, path: str) -> Channel:
    team_name, _, channel_name = path.partition("/")
    if not channel_name:
        raise typer.BadParameter(f"{path!r}: give TEAM/CHANNEL")
    return await channels.get_channel_by_name(svc, SYSTEM, "", channel_name, include_deleted=True, team_name=team_name)


def _user_line(u: User) -> str:
    fields = [u.username, u.email, u.roles, "deactivated" if u.delete_at else "active", *(["mfa"] if u.mfa_active else [])]
    return "\t".join(fields)


# Settings and statistics --------------------------------------------------------------------------------


@settings_app.command("get")
def settings_get(
    name: Annotated[str | None, typer.Argument(help="One setting; all live settings when left out.")] = None,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Print the live settings: value, and `(overridden; default …)` where the console or `set` changed one."""
    from kafana.actions.live_settings import list_settings

    async def get(svc: Services) -> list[dict[str, Any]]:
        return list_settings(svc, SYSTEM)

    for item in _run(data_dir, config, get):
        if name in (None, item["name"]):
            note = f"  (overridden; default {json.dumps(item['default'])})" if item["overridden"] else ""
            typer.echo(f"{item['name']} = {json.dumps(item['value'])}{note}")


@settings_app.command("set")
def settings_set(
    name: Annotated[str, typer.Argument(help="A live setting (see `kafana admin settings get`).")],
    value: Annotated[str | None, typer.Argument(help="The new value; leave out with --reset.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Remove the override: back to the file/environment value.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Override a live setting; running servers apply it within seconds. Audited as done by the system."""
    from kafana.actions.live_settings import do_update

    if (value is None) != reset:
        raise typer.BadParameter("give a value, or --reset")
    listing = _run(data_dir, config, lambda svc: do_update(svc, SYSTEM, {name: value}))
    [item] = [i for i in listing if i["name"] == name]
    typer.echo(f"{name} = {json.dumps(item['value'])}")


@admin_app.command("stats")
def stats(
    team_id: Annotated[str, typer.Option("--team-id", help="Count one team only.")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Print the server statistics (as the admin console's) and posts per day over the last 30 days."""
    from kafana.actions.analytics import get_analytics

    async def get(svc: Services) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        return await get_analytics(svc, SYSTEM, "standard", team_id), await get_analytics(svc, SYSTEM, "post_counts_day", team_id)

    standard, per_day = _run(data_dir, config, get)
    for row in standard:
        typer.echo(f"{row['name']}: {row['value']}")
    for row in per_day:
        typer.echo(f"posts on {row['name']}: {row['value']}")


# Users ----------------------------------------------------------------------------------------------------


@user_app.command("search")
def user_search(
    term: Annotated[str, typer.Argument(help="Part of a username, name, nickname or email.")],
    inactive: Annotated[bool, typer.Option("--inactive", help="Include deactivated accounts.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """List matching accounts: username, email, roles, state."""

    async def search(svc: Services) -> list[User]:
        return await users.list_users(svc, SYSTEM, term=term, active=None if inactive else True, offset=0, limit=200)

    for u in _run(data_dir, config, search):
        typer.echo(_user_line(u))


@user_app.command("role")
def user_role(
    username: Username,
    role: Annotated[str, typer.Argument(help="member, moderator or admin.")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Make an account a member, a moderator (the reports queue) or a system admin."""
    roles = {"member": "system_user", "moderator": "system_user system_moderator", "admin": "system_user system_admin"}
    if role not in roles:
        raise typer.BadParameter("member, moderator or admin")

    async def change(svc: Services) -> User:
        return await users.do_update_roles(svc, SYSTEM, (await _user(svc, username)).id, roles[role])

    typer.echo(_user_line(_run(data_dir, config, change)))


def _set_active(username: str, active: bool, data_dir: Any, config: Any) -> None:
    async def change(svc: Services) -> User:
        return await users.do_set_active(svc, SYSTEM, (await _user(svc, username)).id, active)

    typer.echo(_user_line(_run(data_dir, config, change)))


@user_app.command("deactivate")
def user_deactivate(username: Username, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Deactivate an account: its sessions end at once and it can no longer sign in."""
    _set_active(username, False, data_dir, config)


@user_app.command("activate")
def user_activate(username: Username, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Reactivate an account (or approve one waiting for approval)."""
    _set_active(username, True, data_dir, config)


@user_app.command("reset-mfa")
def user_reset_mfa(username: Username, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Turn an account's two-factor authentication off (a lost phone); it sets it up again at its next sign-in."""

    async def reset(svc: Services) -> User:
        user = await _user(svc, username)
        await mfa.do_deactivate(svc, SYSTEM, user.id, "", "")
        return await _user(svc, username)

    typer.echo(_user_line(_run(data_dir, config, reset)))


# Teams ----------------------------------------------------------------------------------------------------


@team_app.command("list")
def team_list(data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Every live team: name, display name, type (O open, I invite only), id."""

    async def get(svc: Services) -> list[teams.TeamView]:
        return (await teams.list_teams(svc, SYSTEM, 0, 10_000))[0]

    for view in _run(data_dir, config, get):
        typer.echo(f"{view.team.name}\t{view.team.display_name}\t{view.team.type}\t{view.team.id}")


@team_app.command("archive")
def team_archive(
    name: TeamName,
    restore: Annotated[bool, typer.Option("--restore", help="Bring an archived team back instead.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Archive a team (its channels stay readable to its members) or, with --restore, bring it back."""

    async def change(svc: Services) -> str:
        team = (await teams.get_team(svc, SYSTEM, name=name)).team
        await teams.do_set_team_archived(svc, SYSTEM, team.id, not restore)
        return team.name

    typer.echo(f"{_run(data_dir, config, change)} {'restored' if restore else 'archived'}")


# Channels -------------------------------------------------------------------------------------------------


@channel_app.command("list")
def channel_list(
    term: Annotated[str, typer.Argument(help="Part of a channel's name or display name.")] = "",
    team: Annotated[str, typer.Option("--team", help="One team's channels only (URL name).")] = "",
    archived: Annotated[bool, typer.Option("--archived", help="Archived channels only.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Public and private channels of every team: TEAM/CHANNEL, type (O public, P private), display name, state."""

    async def get(svc: Services) -> list[tuple[Channel, Any]]:
        team_ids = [(await teams.get_team(svc, SYSTEM, name=team)).team.id] if team else []
        return await channels.search_all_channels(svc, SYSTEM, term, team_ids=team_ids, deleted=archived, limit=10_000)

    for channel, owner in _run(data_dir, config, get):
        fields = [f"{owner.name}/{channel.name}", channel.type, channel.display_name, *(["archived"] if channel.delete_at else [])]
        typer.echo("\t".join(fields))


def _channel_command(path: str, data_dir: Any, config: Any, work: Callable[[Services, Channel], Awaitable[Channel]], done: str) -> None:
    async def change(svc: Services) -> Channel:
        return await work(svc, await _channel(svc, path))

    channel = _run(data_dir, config, change)
    typer.echo(f"{path}: {done} ({channel.id})")


@channel_app.command("archive")
def channel_archive(path: ChannelPath, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Archive a channel: its history stays readable, nothing new can be posted."""
    _channel_command(path, data_dir, config, lambda svc, c: channels.do_archive_channel(svc, SYSTEM, c.id), "archived")


@channel_app.command("unarchive")
def channel_unarchive(path: ChannelPath, data_dir: DataDir = None, config: ConfigFile = None) -> None:
    """Bring an archived channel back."""
    _channel_command(path, data_dir, config, lambda svc, c: channels.do_restore_channel(svc, SYSTEM, c.id), "unarchived")


@channel_app.command("privacy")
def channel_privacy(
    path: ChannelPath,
    privacy: Annotated[str, typer.Argument(help="public or private.")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Convert a channel between public and private."""
    kinds = {"public": "O", "private": "P"}
    if privacy not in kinds:
        raise typer.BadParameter("public or private")
    _channel_command(path, data_dir, config, lambda svc, c: channels.do_set_privacy(svc, SYSTEM, c.id, kinds[privacy]), f"now {privacy}")


@channel_app.command("move")
def channel_move(
    path: ChannelPath,
    team: Annotated[str, typer.Argument(help="The team (URL name) to move it to.")],
    force: Annotated[bool, typer.Option("--force", help="Remove the members who are not in that team, rather than refusing.")] = False,
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Move a channel, its history and its members to another team."""

    async def move(svc: Services, channel: Channel) -> Channel:
        target = await teams.get_team(svc, SYSTEM, name=team)
        return await channels.do_move_channel(svc, SYSTEM, channel.id, target.team.id, force=force)

    _channel_command(path, data_dir, config, move, f"moved to {team}")


# Jobs -----------------------------------------------------------------------------------------------------


def show_job(job: BackgroundJob) -> None:
    """One progress line, rewritten in place; the last one (an ended run) ends the line."""
    info = job.to_api()["data"]
    counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in info.items() if k not in ("import_file", "error"))
    ended = job.status not in ("pending", "in_progress", "cancel_requested")
    typer.echo(f"\r{job.type} {job.status} {job.progress:3d}%{'  ' + counts if counts else ''}", nl=ended, err=True)


@job_app.command("run")
def job_run(
    job_type: Annotated[str, typer.Argument(metavar="TYPE", help=f"One of: {', '.join(job_runs.CREATABLE)}.")],
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """Run a job here and now with a progress line; the console's job list shows it like any other run."""
    if job_type not in job_runs.CREATABLE:
        raise typer.BadParameter(f"one of: {', '.join(job_runs.CREATABLE)}")
    job = _run(data_dir, config, lambda svc: job_runs.do_run_job(svc, SYSTEM, job_type, report=show_job))
    typer.echo(f"{job.type} {job.status} ({job.id})")
    if job.status != "success":
        raise typer.Exit(1)


@job_app.command("list")
def job_list(
    job_type: Annotated[str, typer.Argument(metavar="[TYPE]", help="Only this type's runs.")] = "",
    data_dir: DataDir = None,
    config: ConfigFile = None,
) -> None:
    """The latest runs, newest first: id, type, status, progress, start time (UTC ms)."""

    async def get(svc: Services) -> list[BackgroundJob]:
        return await job_runs.list_jobs(svc, SYSTEM, job_type, 0, 50)

    for job in _run(data_dir, config, get):
        typer.echo(f"{job.id}\t{job.type}\t{job.status}\t{job.progress}%\t{job.start_at}")
