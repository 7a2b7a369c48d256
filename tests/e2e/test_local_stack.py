"""An author's session with `pressroom local`: the AWS CLI, an editor's folder, the status
command, one-off invocations and a browser, each against the running process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from pressroom_local.serve import SiteObject, with_live_reload
from tests.corpus import PROJECT_ROOT
from tests.e2e.conftest import LocalProcess, eventually

if TYPE_CHECKING:
    from playwright.sync_api import Browser

EVENTS = PROJECT_ROOT / "events"
SEED_PAGE = "/posts/armenia-azerbaijan-truce/"
DROP_DEADLINE_SECONDS = 2.0
SITE_TITLE = "Pressroom"


def _post(title: str, *, date: str = "2024-05-01", tags: str = "local") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n\nWritten for *{title}*.\n"


def _shows(local: LocalProcess, path: str, text: str) -> bool:
    page = local.get(path)
    return page.status == 200 and text in page.body


def _gone(local: LocalProcess, path: str) -> bool:
    return local.get(path).status == 404


def test_the_banner_says_where_the_site_is_and_how_to_drop_a_file(local: LocalProcess) -> None:
    bucket = local.content_bucket

    assert local.site_url in local.stdout
    assert (
        f"aws --endpoint-url {local.endpoint_url} s3 cp my-post.md s3://{bucket}/posts/my-post.md"
    ) in local.stdout
    assert "pressroom status" in local.stdout


def test_local_json_names_the_endpoint_and_every_resource(local: LocalProcess) -> None:
    state = local.state()

    assert state["endpoint_url"] == local.endpoint_url
    assert state["region"] == "us-east-1"
    assert {"ContentBucket", "ArtifactsBucket", "SiteBucket"} <= set(state["buckets"])
    table = state["tables"]["PostsTable"]
    assert table["name"] and table["stream_arn"]
    for logical_id in (
        "IngestQueue",
        "IngestDLQ",
        "IndexQueue",
        "IndexDLQ",
        "RenderDLQ",
        "ListingQueue",
        "ListingDLQ",
    ):
        assert state["queues"][logical_id]["url"].startswith(local.endpoint_url)
        assert state["queues"][logical_id]["arn"].startswith("arn:aws:sqs:")
    assert state["queues"]["IngestQueue"]["dead_letter_queue"] == "IngestDLQ"
    validator = state["functions"]["ValidatorFunction"]["environment"]
    assert validator["CONTENT_BUCKET"] == state["buckets"]["ContentBucket"]
    assert validator["INDEX_QUEUE_URL"] == state["queues"]["IndexQueue"]["url"]
    renderer = state["functions"]["RendererFunction"]["environment"]
    assert renderer["SITE_URL"] == local.site_url


def test_the_site_bucket_is_served_like_cloudfront_serves_it(local: LocalProcess) -> None:
    home = local.get("/")
    assert home.status == 200
    assert home.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<title>{SITE_TITLE}" in home.body
    assert SEED_PAGE in home.body

    assert local.get(SEED_PAGE).status == 200
    bare = local.get(SEED_PAGE.rstrip("/"))
    assert (bare.status, bare.headers["location"]) == (301, SEED_PAGE)
    assert local.get("/", method="HEAD").status == 200

    missing = local.get("/posts/never-written/")
    assert missing.status == 404
    s3 = local.s3()
    site_bucket = local.state()["buckets"]["SiteBucket"]
    listed = s3.list_objects_v2(Bucket=site_bucket, Prefix="404.html").get("Contents", [])
    if listed:  # the site's own 404 page, once the renderer has written one
        page = s3.get_object(Bucket=site_bucket, Key="404.html")["Body"].read()
        # As it is stored, with the live-reload script the local server adds to every page.
        served = with_live_reload(SiteObject(page, "text/html; charset=utf-8"))
        assert missing.body == served.body.decode("utf-8")
    # Keys are looked up in the bucket: there is no disk to climb out onto.
    assert local.get("/../../../etc/passwd").status == 404
    assert local.get("/%2e%2e/%2e%2e/etc/passwd").status == 404


def test_the_aws_cli_publishes_updates_and_removes_a_post(
    local: LocalProcess, aws_cli: str, tmp_path: Path
) -> None:
    draft = tmp_path / "cli-post.md"
    target = f"s3://{local.content_bucket}/posts/cli-post.md"
    page = "/posts/cli-post/"

    def aws(*arguments: str) -> None:
        done = local.run([aws_cli, "--endpoint-url", local.endpoint_url, *arguments])
        assert done.returncode == 0, done.stderr

    draft.write_text(_post("Dropped with the CLI"), encoding="utf-8")
    aws("s3", "cp", str(draft), target)
    # The promise: on the served site within 2 seconds of the upload.
    eventually(lambda: _shows(local, page, "Dropped with the CLI"), deadline=DROP_DEADLINE_SECONDS)
    eventually(lambda: _shows(local, "/", "Dropped with the CLI"))

    draft.write_text(_post("Edited with the CLI"), encoding="utf-8")
    aws("s3", "cp", str(draft), target)
    eventually(lambda: _shows(local, page, "Edited with the CLI"))

    aws("s3", "rm", target)
    eventually(lambda: _gone(local, page))
    eventually(lambda: "Edited with the CLI" not in local.get("/").body)


def test_an_invalid_upload_is_explained_by_pressroom_status(
    local: LocalProcess, aws_cli: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: ''\ndate: next tuesday-ish\n---\nNo.\n", encoding="utf-8")
    key = "posts/bad.md"

    target = f"s3://{local.content_bucket}/{key}"
    uploaded = local.run(
        [aws_cli, "--endpoint-url", local.endpoint_url, "s3", "cp", str(bad), target]
    )
    assert uploaded.returncode == 0, uploaded.stderr

    def recorded() -> subprocess.CompletedProcess[str] | None:
        done = local.pressroom("status", key)
        return done if done.returncode == 0 else None

    status = eventually(recorded)
    assert status.stdout.startswith("invalid")
    assert f"{key}:2: title:" in status.stdout
    assert "next tuesday-ish" in status.stdout
    listed = json.loads(local.pressroom("status", key, "--json").stdout)
    assert [entry["status"] for entry in listed] == ["invalid"]
    assert _gone(local, "/posts/bad/")


def test_a_watched_folder_is_mirrored_into_the_content_bucket(local: LocalProcess) -> None:
    assert local.watched is not None
    post = local.watched / "notes" / "from-my-editor.md"
    post.parent.mkdir()
    page = "/posts/from-my-editor/"

    post.write_text(_post("Saved in an editor"), encoding="utf-8")
    eventually(lambda: _shows(local, page, "Saved in an editor"))

    post.write_text(_post("Saved again"), encoding="utf-8")
    eventually(lambda: _shows(local, page, "Saved again"))
    status = json.loads(local.pressroom("status", "notes/from-my-editor.md", "--json").stdout)
    assert status[0]["status"] == "published"
    # The terminal says what became of each save, as it happens.
    eventually(lambda: f"published notes/from-my-editor.md → {page}" in local.stderr)
    post.write_text("---\ntitle: [unclosed\n---\nOops.\n", encoding="utf-8")
    eventually(lambda: "invalid   notes/from-my-editor.md" in local.stderr)
    assert "error: notes/from-my-editor.md:3: the YAML front matter" in local.stderr

    post.unlink()
    eventually(lambda: _gone(local, page))


def test_invoke_runs_a_function_against_the_running_stack(local: LocalProcess) -> None:
    def invoke(function: str, event: str) -> dict[str, object]:
        done = local.pressroom("invoke", function, "--event", str(EVENTS / event))
        assert done.returncode == 0, done.stderr
        response: dict[str, object] = json.loads(done.stdout)  # stdout is the response alone
        return response

    # The renderer writes into the running stack's site bucket: the page goes, then comes back.
    # The event asks the stack's listing queue for the pages around the post, which a listing
    # batch writes from the index, where the post is still published: so the page comes back
    # by itself a batching window (5 s) later. Invoked while a batch an earlier test started
    # is still gathering, it would come back at once: so only once the stack is quiet.
    local.wait_until_quiet()
    assert invoke("renderer", "renderer-post-deleted.json") == {"batchItemFailures": []}
    eventually(lambda: _gone(local, SEED_PAGE))
    assert invoke("RendererFunction", "renderer-post-published.json") == {"batchItemFailures": []}
    eventually(lambda: _shows(local, SEED_PAGE, "Armenia"))
    # The validator's document goes on to the running stack's indexer, whose renderer may write
    # the seed page again at any moment after: so it comes last, and the page stays.
    assert invoke("ValidatorFunction", "validator-object-created.json") == {"batchItemFailures": []}
    assert _shows(local, SEED_PAGE, "Armenia")


def test_invoke_reads_the_event_from_stdin_and_names_unknown_functions(
    local: LocalProcess,
) -> None:
    event = (EVENTS / "validator-s3-test-event.json").read_text(encoding="utf-8")

    from_stdin = local.pressroom("invoke", "validator", "--event", "-", stdin=event)
    unknown = local.pressroom("invoke", "publisher", "--event", str(EVENTS / "indexer-upsert.json"))

    assert json.loads(from_stdin.stdout) == {"batchItemFailures": []}
    assert unknown.returncode == 2
    assert "ValidatorFunction" in unknown.stderr


def test_headless_chromium_loads_the_home_page(local: LocalProcess, browser: Browser) -> None:
    page = browser.new_page()
    try:
        answer = page.goto(local.site_url)
        assert answer is not None and answer.status == 200
        title = page.title()
        listed = page.locator(f"a[href='{SEED_PAGE}']").count()
    finally:
        page.close()

    assert SITE_TITLE in title
    assert listed >= 1


def test_an_open_page_reloads_when_its_post_is_published_again(
    local: LocalProcess, browser: Browser
) -> None:
    assert local.watched is not None
    post = local.watched / "harbour" / "harbour-lights.md"
    post.parent.mkdir()
    path = "/posts/harbour-lights/"
    post.write_text(_post("Harbour lights at dusk", tags="photography"), encoding="utf-8")
    eventually(lambda: _shows(local, path, "Harbour lights at dusk"))

    page = browser.new_page()
    try:
        page.goto(local.site_url + path.lstrip("/"))
        # A mark on this document: a reload makes a new one, without it.
        page.evaluate("window.loadedBeforeTheEdit = true")
        edited = _post("Harbour lights after the storm", tags="photography")
        post.write_text(edited, encoding="utf-8")
        page.wait_for_function(
            "document.title.startsWith('Harbour lights after the storm')", timeout=15_000
        )
        reloaded = page.evaluate("window.loadedBeforeTheEdit === undefined")
    finally:
        page.close()

    assert reloaded
    # The script is the local server's: the page in the site bucket does not carry it.
    bucket = local.state()["buckets"]["SiteBucket"]
    stored = local.s3().get_object(Bucket=bucket, Key="posts/harbour-lights/index.html")
    html = stored["Body"].read().decode()
    assert "Harbour lights after the storm" in html
    assert "_pressroom/" not in html
    assert "/_pressroom/live-reload.js" in local.get(path).body


def test_rebuild_rewrites_every_page_from_the_index(local: LocalProcess) -> None:
    bucket = json.loads((local.workdir / ".pressroom" / "local.json").read_text())["buckets"][
        "SiteBucket"
    ]
    local.s3().delete_object(Bucket=bucket, Key="feed.xml")
    eventually(lambda: _gone(local, "/feed.xml"))

    done = local.pressroom("rebuild")

    assert done.returncode == 0, done.stderr
    assert "rebuilt" in done.stderr
    eventually(lambda: _shows(local, "/feed.xml", "<feed"))
