"""POST /teams/{team_id}/posts/search and POST /posts/search: Mattermost's search syntax, answered as a
PostList with `matches` (the words matched in each post, for highlighting). POST /teams/{team_id}/files/search
and POST /files/search: the same syntax over file names, answered as a FileInfoList."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kafana.actions import search
from kafana.actions.search import SearchRequest
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep, check_id
from kafana.api.posts import post_list
from kafana.api.responses import JSON
from kafana.lib.errors import invalid_param

router = APIRouter()

MAX_TERMS_CHARS = 1000
MAX_TZ_OFFSET_S = 14 * 3600


async def _read_request(request: Request) -> SearchRequest:
    body = await read_object(request)
    tz = body.int("time_zone_offset")
    if abs(tz) > MAX_TZ_OFFSET_S:
        raise invalid_param("time_zone_offset")
    page, per_page = body.int("page"), body.int("per_page", 60)
    if page < 0:
        raise invalid_param("page")
    if not 0 < per_page <= search.MAX_PER_PAGE:
        raise invalid_param("per_page")
    return SearchRequest(
        terms=body.str("terms", required=True, max_len=MAX_TERMS_CHARS),
        is_or_search=body.bool("is_or_search"),
        time_zone_offset=tz,
        include_deleted_channels=body.bool("include_deleted_channels"),
        page=page,
        per_page=per_page,
    )


def _answer(result: search.SearchResult) -> dict[str, Any]:
    return {**post_list(result.page), "matches": result.matches}


@router.post("/teams/{team_id}/posts/search")
async def search_team_posts(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_answer(await search.search_posts(svc, actor, check_id(team_id, "team_id"), await _read_request(request))))


@router.post("/posts/search")
async def search_all_posts(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_answer(await search.search_posts(svc, actor, None, await _read_request(request))))


def _file_list(result: search.FileResult) -> dict[str, Any]:
    """Mattermost's FileInfoList; the next/prev ids under both the OpenAPI document's names and the server's."""
    return {
        "order": [f.id for f in result.files],
        "file_infos": {f.id: f.to_api() for f in result.files},
        "next_file_id": "",
        "prev_file_id": "",
        "next_file_info_id": "",
        "prev_file_info_id": "",
        "first_inaccessible_file_time": 0,
        "has_next": result.has_next,
    }


@router.post("/teams/{team_id}/files/search")
async def search_team_files(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_file_list(await search.search_files(svc, actor, check_id(team_id, "team_id"), await _read_request(request))))


@router.post("/files/search")
async def search_all_files(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_file_list(await search.search_files(svc, actor, None, await _read_request(request))))
