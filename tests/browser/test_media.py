"""Media in the web client: files dropped on the composer upload with a progress bar (held by Playwright
routing, so the bar is on screen until the test lets the upload through) and can be cancelled; images open in a
keyboard-driven lightbox; a custom emoji is added, suggested and used as a reaction by someone else; a new
profile picture shows for another user at once. axe-core checks the screens on the way."""

from __future__ import annotations

import asyncio
import base64
import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.async_api import Page, Route, expect

from tests.browser.conftest import ApiUser, Pages, assert_accessible, composer, login, post_in_list
from tests.compat.conftest import LiveServer


def png(colour: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


People = tuple[ApiUser, ApiUser, str]


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[People]:
    """Ana (admin) and Bob in team `media`, and its town-square's id."""
    ana, bob = ApiUser(server, "ana"), ApiUser(server, "bob")
    team = ana.create_team("media")
    ana.join(team, bob)
    yield ana, bob, ana.channel(team, "town-square")["id"]
    ana.close()
    bob.close()


async def signed_in(pages: Pages, username: str) -> Page:
    page = await pages.open("/media/channels/town-square")
    await login(page, username)
    await expect(composer(page, "Town Square")).to_be_visible()
    return page


async def drop_files(page: Page, target: str, files: list[tuple[str, bytes, str]]) -> None:
    """Drag files over `target` and drop them there, as a file manager would."""
    transfer = await page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const [name, b64, type] of files) {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], name, {type}));
            }
            return dt;
        }""",
        [[name, base64.b64encode(data).decode(), kind] for name, data, kind in files],
    )
    await page.locator(target).dispatch_event("dragover", {"dataTransfer": transfer})
    await expect(page.get_by_text("Drop files here to attach them")).to_be_visible()
    await page.locator(target).dispatch_event("drop", {"dataTransfer": transfer})


async def test_drop_upload_with_progress_and_cancel_then_lightbox(pages: Pages, people: People) -> None:
    page = await signed_in(pages, "ana")

    # Every upload is held until the test releases it: the bars stay on screen meanwhile.
    held: asyncio.Queue[Route] = asyncio.Queue()
    await page.route("**/api/v4/files", held.put)
    files = [
        ("sunset.png", png("orange", (800, 600)), "image/png"),
        ("harbour.png", png("navy", (600, 800)), "image/png"),
        ("notes.txt", b"Packing list\n- camera\n- charger\n", "text/plain"),
        ("draft.png", png("grey", (64, 64)), "image/png"),
    ]
    await drop_files(page, ".channel-view .composer", files)
    uploads = page.get_by_role("list", name="Files to send")
    for name, _, _ in files:
        await expect(uploads.get_by_role("progressbar", name=f"Uploading {name}")).to_be_visible()
    routes = {}
    for _ in files:
        route = await held.get()
        body = route.request.post_data_buffer or b""
        routes[next(name for name, _, _ in files if f'filename="{name}"'.encode() in body)] = route
    await assert_accessible(page, "composer with uploads in progress")

    # Cancelling one drops it from the draft; its request is aborted by the browser.
    await uploads.get_by_role("button", name="Cancel the upload of draft.png").click()
    await expect(uploads.get_by_text("draft.png")).to_have_count(0)
    # Sending waits for the uploads still running.
    await composer(page, "Town Square").fill("Photos from the trip")
    await composer(page, "Town Square").press("Enter")
    await expect(page.get_by_role("alert").filter(has_text="Wait until the files have finished uploading.")).to_be_visible()
    for name in ("sunset.png", "harbour.png", "notes.txt"):
        await routes[name].continue_()
        await expect(uploads.get_by_role("progressbar", name=f"Uploading {name}")).to_have_count(0)
        await expect(uploads.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    await page.unroute("**/api/v4/files")

    await composer(page, "Town Square").press("Enter")
    post = post_in_list(page, "Photos from the trip")
    await expect(post).to_have_attribute("data-post-id", re.compile(r"^[a-z0-9]{26}$"))  # the server's copy
    await expect(post.get_by_role("button", name="Open sunset.png")).to_be_visible()
    await expect(post.get_by_role("button", name="Open harbour.png")).to_be_visible()
    await expect(post.get_by_label("Beginning of notes.txt")).to_contain_text("- charger")
    await expect(post.get_by_role("link", name="Download notes.txt")).to_be_visible()
    await expect(uploads).to_have_count(0)
    # The server has the post with its three files (the draft was not sent).
    ana, _, _ = people
    saved = ana.call("GET", "/posts/" + (await post.get_attribute("data-post-id") or ""))
    assert sorted(f["name"] for f in saved["metadata"]["files"]) == ["harbour.png", "notes.txt", "sunset.png"]

    # The lightbox: opens on the clicked image, ←/→ move (wrapping), Tab stays inside, Esc closes and focus
    # returns to the image.
    opener = post.get_by_role("button", name="Open sunset.png")
    await opener.click()
    viewer = page.get_by_role("dialog", name="Image viewer: sunset.png")
    await expect(viewer).to_be_visible()
    await expect(viewer.get_by_role("img", name="sunset.png")).to_be_visible()
    await expect(viewer.get_by_text("1 of 2")).to_be_visible()
    await assert_accessible(page, "lightbox")
    await page.keyboard.press("ArrowRight")
    await expect(page.get_by_role("dialog", name="Image viewer: harbour.png")).to_be_visible()
    await page.keyboard.press("ArrowRight")
    await expect(page.get_by_role("dialog", name="Image viewer: sunset.png")).to_be_visible()
    await page.keyboard.press("ArrowLeft")
    await expect(page.get_by_role("dialog", name="Image viewer: harbour.png")).to_be_visible()
    lightbox = page.locator(".lightbox")
    for _ in range(6):
        await page.keyboard.press("Tab")
        assert await lightbox.evaluate("el => el.contains(document.activeElement)")
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(opener).to_be_focused()


async def test_refused_uploads_say_why(pages: Pages, people: People) -> None:
    """Too large is refused by the client before a byte is sent (the limit comes from the client config); over
    the quota is refused by the server; both in words, next to the file."""
    ana_api, _, _ = people
    ana_api.call("PUT", "/kafana/settings", {"max_file_size": 5000, "user_file_quota": 1})
    try:
        page = await signed_in(pages, "ana")
        sent: list[bytes] = []

        async def record(route: Route) -> None:
            sent.append(route.request.post_data_buffer or b"")
            await route.continue_()

        await page.route("**/api/v4/files", record)
        await drop_files(page, ".channel-view .composer", [("big.bin", b"b" * 6000, "application/octet-stream"), ("small.txt", b"hello", "text/plain")])
        uploads = page.get_by_role("list", name="Files to send")
        await expect(uploads.get_by_role("alert").filter(has_text="big.bin is too large: files can be at most 5 KB.")).to_be_visible()
        await expect(uploads.get_by_role("alert").filter(has_text="small.txt was not uploaded: your files would go over your storage quota.")).to_be_visible()
        assert len(sent) == 1 and b'filename="small.txt"' in sent[0], "the large file never left the browser"
        await uploads.get_by_role("button", name="Remove big.bin").click()
        await expect(uploads.get_by_text("big.bin")).to_have_count(0)
    finally:
        ana_api.call("PUT", "/kafana/settings", {"max_file_size": None, "user_file_quota": None})


async def test_file_button_and_pdf_first_page(pages: Pages, people: People) -> None:
    page = await signed_in(pages, "ana")
    report = io.BytesIO()
    Image.new("RGB", (200, 280), (200, 0, 0)).save(report, "PDF")
    async with page.expect_file_chooser() as chooser:
        await page.get_by_role("button", name="Attach files").click()
    await (await chooser.value).set_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": report.getvalue()})
    await expect(page.get_by_role("button", name="Remove report.pdf")).to_be_visible()
    await composer(page, "Town Square").fill("The report")
    await composer(page, "Town Square").press("Enter")
    post = post_in_list(page, "The report")
    first_page = post.get_by_role("img", name="First page of report.pdf")
    await expect(first_page).to_be_visible()  # shown once pdf.js has drawn it
    await expect(post.get_by_text("1 page", exact=True)).to_be_visible()
    red, green, blue, _ = await first_page.evaluate("c => [...c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data]")
    assert red > 150 and green < 60 and blue < 60, "the page's red fill was drawn"
    await expect(post.get_by_role("link", name="Download report.pdf")).to_be_visible()
    await assert_accessible(page, "post with a PDF")


async def test_custom_emoji_added_suggested_and_used_as_a_reaction(pages: Pages, people: People) -> None:
    ana_api, _, town = people
    ana_api.post(town, "Vote for the new logo")
    ana = await signed_in(pages, "ana")
    bob = await signed_in(pages, "bob")
    await expect(post_in_list(bob, "Vote for the new logo")).to_be_visible()

    # Ana adds :kafana: from the picker's manager.
    target = post_in_list(ana, "Vote for the new logo")
    await target.hover()
    await target.get_by_role("button", name="Add a reaction").click()
    await ana.get_by_role("button", name="Add or delete custom emoji").click()
    manager = ana.get_by_role("dialog", name="Custom emoji")
    await manager.get_by_label("Name").fill("Bad name!")
    await manager.get_by_role("button", name="Add emoji").click()
    await expect(manager.get_by_role("alert")).to_have_text("Use 1 to 64 characters: lowercase letters, digits, _, - or +.")
    await manager.get_by_label("Name").fill("kafana")
    await manager.get_by_label(re.compile("^Image")).set_input_files({"name": "kafana.png", "mimeType": "image/png", "buffer": png("teal", (64, 64))})
    await manager.get_by_role("button", name="Add emoji").click()
    await expect(manager.get_by_role("status")).to_have_text(":kafana: has been added.")
    await expect(manager.get_by_role("button", name="Delete :kafana:")).to_be_visible()
    await assert_accessible(ana, "custom emoji manager")
    await ana.keyboard.press("Escape")  # back to the picker
    await expect(ana.get_by_role("dialog", name="Choose an emoji")).to_be_visible()
    await ana.keyboard.press("Escape")
    await expect(ana.get_by_role("dialog")).to_have_count(0)

    # Bob's client learnt of it live (emoji_added): it is in the picker's Custom section, searchable.
    bob_target = post_in_list(bob, "Vote for the new logo")
    await bob_target.hover()
    await bob_target.get_by_role("button", name="Add a reaction").click()
    await bob.get_by_role("searchbox", name="Search emoji").fill("kaf")
    custom = bob.get_by_role("listbox", name="Custom")
    await expect(custom.get_by_role("option", name=":kafana:")).to_be_visible()
    await assert_accessible(bob, "emoji picker with custom emoji")
    await custom.get_by_role("option", name=":kafana:").click()
    reaction = post_in_list(ana, "Vote for the new logo").get_by_role("button", name="1 reaction with :kafana:")
    await expect(reaction).to_be_visible()
    await expect(reaction.locator("img.custom-emoji")).to_have_attribute("src", re.compile(r"^/api/v4/emoji/[a-z0-9]{26}/image$"))
    assert await reaction.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    # The :-autocomplete offers it; the message shows it as an image.
    await composer(bob, "Town Square").fill("Love the :kafa")
    await expect(bob.get_by_role("option", name=":kafana:")).to_be_visible()
    await composer(bob, "Town Square").press("Enter")
    await expect(composer(bob, "Town Square")).to_have_value("Love the :kafana: ")
    await composer(bob, "Town Square").press("Enter")
    await expect(post_in_list(ana, "Love the").get_by_role("img", name=":kafana:")).to_be_visible()


async def test_profile_picture_change_seen_by_another_user(pages: Pages, people: People) -> None:
    ana_api, bob_api, town = people
    ana_api.post(town, "Over to Bob")  # so that Bob's post starts a group and shows his avatar
    bob_api.post(town, "Bob was here")
    ana = await signed_in(pages, "ana")
    avatar = post_in_list(ana, "Bob was here").locator(".post-gutter .avatar img")
    await expect(avatar).to_be_visible()
    before = await avatar.get_attribute("src")

    bob = await signed_in(pages, "bob")
    await bob.get_by_role("button", name="Settings").click()
    settings = bob.get_by_role("dialog", name="Settings")
    await settings.get_by_label("Choose an image").set_input_files({"name": "me.png", "mimeType": "image/png", "buffer": png("crimson", (300, 200))})
    crop = settings.get_by_role("img", name="Picture crop")
    await expect(crop).to_be_visible()
    await crop.focus()
    await bob.keyboard.press("ArrowRight")
    await settings.get_by_label("Zoom").fill("2")
    await assert_accessible(bob, "profile picture editor")
    await settings.get_by_role("button", name="Save picture").click()
    await expect(settings.get_by_role("status").filter(has_text="Your profile picture has been updated.")).to_be_visible()

    # Ana's client got user_updated with the new last_picture_update and reloads that avatar.
    picture_update = bob_api.call("GET", "/users/me")["last_picture_update"]
    assert picture_update > 0
    await expect(avatar).to_have_attribute("src", f"/api/v4/users/{bob_api.id}/image?_={picture_update}")
    assert await avatar.get_attribute("src") != before
    await ana.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=await avatar.element_handle())
    served = Image.open(io.BytesIO(bob_api.http.get(f"/users/{bob_api.id}/image").content)).convert("RGB")
    assert served.width == served.height
    centre = served.getpixel((served.width // 2, served.height // 2))
    assert all(abs(a - b) <= 8 for a, b in zip(centre, (220, 20, 60), strict=True)), centre  # crimson

    # Back to the default: both sides change again.
    await settings.get_by_role("button", name="Use the default picture").click()
    await expect(settings.get_by_role("status").filter(has_text="default one again")).to_be_visible()
    await expect(avatar).not_to_have_attribute("src", f"/api/v4/users/{bob_api.id}/image?_={picture_update}")
