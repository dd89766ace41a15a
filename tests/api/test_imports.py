"""POST /kafana/imports: a system admin uploads a Mattermost bulk file and it is imported by an
`import_process` job on this node, its progress and counts in the job's row (as the console shows them)."""

from __future__ import annotations

from kafana.actions.context import Services
from tests.helpers import Api, bulk_lines


async def test_an_uploaded_export_is_imported_by_a_job(admin: Api, services: Services) -> None:
    job = await admin.post("/kafana/imports?filename=export.jsonl", content=bulk_lines(), expect=201)
    assert job["type"] == "import_process" and job["status"] == "in_progress"
    assert job["data"]["file_name"] == "export.jsonl"
    await services.settle()  # the job runs in the background on this node
    done = await admin.get(f"/jobs/{job['id']}")
    assert done["status"] == "success" and done["progress"] == 100
    assert (done["data"]["posts"], done["data"]["users"], done["data"]["line_number"]) == ("3", "1", "7")
    team = await admin.get("/teams/name/imported")
    channel = await admin.get(f"/teams/{team['id']}/channels/name/archive")
    posts = await admin.get(f"/channels/{channel['id']}/posts")
    assert sorted(p["message"] for p in posts["posts"].values()) == ["old message 0", "old message 1", "old message 2"]
    assert [j["id"] for j in await admin.get("/jobs/type/import_process")] == [job["id"]]
    assert "import_started" in [e["action"] for e in await admin.get("/audits")]


async def test_a_bad_line_ends_the_job_with_its_number(admin: Api, services: Services) -> None:
    body = bulk_lines() + b'{"type": "teem"}\n'
    job = await admin.post("/kafana/imports?filename=broken.jsonl", content=body, expect=201)
    await services.settle()
    failed = await admin.get(f"/jobs/{job['id']}")
    assert failed["status"] == "error" and failed["data"]["error"] == "line 8: unknown type 'teem'"


async def test_only_admins_and_bulk_files(admin: Api, anon: Api, services: Services) -> None:
    bob = await anon.signup("bob")
    await bob.post("/kafana/imports?filename=export.jsonl", content=bulk_lines(), expect=403)
    error = await admin.post("/kafana/imports?filename=notes.txt", content=b"hello", expect=400)
    assert error["id"] == "api.import.upload.kind.app_error"
    await admin.post("/kafana/imports", content=b"", expect=400)
    files = {"file": ("export.jsonl", bulk_lines(team="multi", posts=1), "application/octet-stream")}
    job = await admin.post("/kafana/imports", files=files, expect=201)  # multipart, as the console sends it
    assert job["data"]["file_name"] == "export.jsonl"
    await services.settle()
    assert (await admin.get(f"/jobs/{job['id']}"))["status"] == "success"
