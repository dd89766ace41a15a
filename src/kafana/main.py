"""The ASGI application: `create_app(settings)` wires services, middleware and the API routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from kafana import MATTERMOST_VERSION, __version__
from kafana.actions import push
from kafana.actions.audit import record_setting_changes
from kafana.actions.context import Services
from kafana.actions.live_settings import do_reload as reload_live_settings
from kafana.actions.system import ensure_diagnostic_id
from kafana.api import (
    analytics,
    audits,
    bots,
    bridges,
    categories,
    channels,
    commands,
    email,
    emoji,
    errors,
    export,
    files,
    groups,
    hooks,
    imports,
    jobs,
    links,
    live_settings,
    logs,
    moderation,
    notifications,
    oauth,
    pictures,
    posts,
    preferences,
    reactions,
    retention,
    search,
    statuses,
    system,
    teams,
    threads,
    users,
    webapp,
    websocket,
)
from kafana.api.middleware import BodyLimitMiddleware, CleanPathMiddleware, HeadersMiddleware, RateLimiter, RateLimitMiddleware
from kafana.bridges.supervisor import Supervisor as BridgeSupervisor
from kafana.config import Settings
from kafana.db import Database
from kafana.lib import logbuffer
from kafana.realtime import Hub
from kafana.realtime.redis_bus import RedisBus
from kafana.workers.jobs import default_jobs
from kafana.workers.scheduler import Scheduler

# Hot routes first: FastAPI tries routes in order, so the busiest resources are matched soonest.
API_MODULES = (
    posts,
    channels,
    users,
    teams,
    reactions,
    files,
    emoji,
    pictures,
    threads,
    preferences,
    statuses,
    categories,
    links,
    search,
    system,
    audits,
    bots,
    retention,
    moderation,
    export,
    live_settings,
    email,
    jobs,
    analytics,
    groups,
    notifications,
    bridges,
    hooks,
    commands,
    logs,
    imports,
)


# uvicorn's WebSocket settings: frames over 64 KiB close the socket (1009, D5); protocol pings every 30 s
# (clients give up after 65 s without one); no per-message deflate (as Mattermost): its zlib state doubled an
# idle socket's memory (82 → 41 KiB).
WEBSOCKET_SERVER_OPTIONS: dict[str, Any] = {
    "ws": "websockets-sansio",
    "ws_max_size": 65536,
    "ws_ping_interval": 30,
    "ws_ping_timeout": 100,
    "ws_per_message_deflate": False,
}


def version_id(build: str = "0", config_hash: str = "kafana") -> str:
    """X-Version-Id: <semver>.<build>.<config hash>.<licensed>; clients read the first three parts."""
    return f"{MATTERMOST_VERSION}.{build}.{config_hash}.false"


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app. The database must already be migrated (`kafana serve` and the tests do that)."""
    logbuffer.install()
    db = database or Database(settings.effective_database_url, sqlite_synchronous=settings.sqlite_synchronous, search_timeout_ms=settings.search_timeout_ms)
    svc = Services(settings=settings, db=db)
    bus = RedisBus(settings.redis_url, channel_prefix=settings.redis_channel_prefix) if settings.redis_url else None
    hub = Hub(db, bus=bus, server_version=version_id())
    db.publisher = hub.publish  # committed events go to the WebSocket hub
    db.on_lost_events = hub.lost

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc.diagnostic_id = await ensure_diagnostic_id(db)
        svc.push_signing_key = app.state.services.push_signing_key = await push.ensure_signing_key(db)
        await record_setting_changes(app.state.services)
        await reload_live_settings(app.state.services)  # after the snapshot: it records the file/environment settings
        # The services in app.state (tests may swap them) re-check the sockets' tokens with their auth cache.
        hub.token_check = websocket.token_checker(app.state.services)
        await hub.start()
        scheduler = app.state.scheduler = Scheduler(app.state.services, default_jobs(app.state.services, hub.connected_user_ids))
        await scheduler.start()
        supervisor = app.state.bridges = BridgeSupervisor(app.state.services, poll_seconds=settings.bridge_poll_seconds)
        hub.observers.append(supervisor.observe)
        await supervisor.start()
        try:
            yield
        finally:
            await supervisor.stop()
            await scheduler.stop()
            for task in list(svc.tasks):
                task.cancel()
            await hub.stop()
            if database is None:
                await db.dispose()

    app = FastAPI(
        title="Kafana API (Mattermost v4)", version=__version__, lifespan=lifespan, docs_url="/api/v4/docs", openapi_url="/api/v4/openapi.json", redoc_url=None
    )
    app.state.services = svc
    app.state.hub = hub
    errors.install(app)
    for module in API_MODULES:  # included flat: nested routers are matched level by level, which costs per request
        app.include_router(module.router, prefix="/api/v4")
    app.include_router(websocket.router, prefix="/api/v4")
    app.include_router(oauth.router)
    app.include_router(hooks.incoming_router)

    app.add_api_route("/files/{file_id}/public", files.get_public_file, methods=["GET"], include_in_schema=False)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def root(request: Request) -> Response:
        return system.root_response()

    app.add_middleware(BodyLimitMiddleware, upload_limit=lambda: int(app.state.services.settings.max_file_size))  # a live setting
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, limiter=RateLimiter(settings.rate_limit_per_sec, settings.rate_limit_max_burst))
    app.add_middleware(CleanPathMiddleware)
    if webapp.has_web_client():
        app.add_middleware(webapp.WebAppMiddleware)
    app.add_middleware(HeadersMiddleware, version_id=version_id())
    return app
