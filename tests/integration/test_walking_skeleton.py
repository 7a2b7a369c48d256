"""The seed article travels bucket → validator → indexer → renderer → HTML page, on moto."""

from __future__ import annotations

import re
from pathlib import Path

from pressroom_local.publish import publish
from pressroom_local.stack import LocalStack
from tests.corpus import SEED
from tests.integration.html import read_page

SEED_KEY = "posts/armenia-azerbaijan-truce.md"


def _site_page(stack: LocalStack, key: str) -> tuple[str, str]:
    s3 = stack.session.client("s3")
    response = s3.get_object(Bucket=stack.site_bucket, Key=key)
    return response["Body"].read().decode("utf-8"), response["ContentType"]


def _seed_paragraphs() -> list[str]:
    """The seed's body as text blocks, less its one thematic break (`___`)."""
    body = SEED.read_text(encoding="utf-8").split("\n--- \n", 1)[1]
    blocks = [" ".join(block.split()) for block in body.split("\n\n")]
    return [block for block in blocks if block and not re.fullmatch(r"[-_*]{3,}", block)]


def test_seed_is_published_with_its_title_date_image_and_every_paragraph(
    stack: LocalStack,
) -> None:
    stack.upload([(SEED_KEY, SEED)])
    stack.router.drain()

    html, content_type = _site_page(stack, "posts/armenia-azerbaijan-truce/index.html")
    page = read_page(html)

    assert content_type == "text/html; charset=utf-8"
    assert page.texts["h1"] == ["Armenia and Azerbaijan Say Cease-Fire Truce Fails to Hold"]
    assert page.first("time")["datetime"].startswith("2020-10-10")
    assert page.first("img")["src"] == (
        "https://api.time.com/wp-content/uploads/2020/10/AP20284410667573.jpg"
        "?quality=85&w=1200&h=628&crop=1"
    )
    paragraphs = page.texts["p"]
    for paragraph in _seed_paragraphs():
        assert paragraph in paragraphs


def test_home_page_links_the_seed(stack: LocalStack) -> None:
    stack.upload([(SEED_KEY, SEED)])
    stack.router.drain()

    html, content_type = _site_page(stack, "index.html")

    assert content_type == "text/html; charset=utf-8"
    assert "/posts/armenia-azerbaijan-truce/" in read_page(html).links()


def test_publish_command_writes_the_site_folder(tmp_path: Path) -> None:
    report = publish([SEED], tmp_path / "site", site_url="https://news.example.org/")

    assert report.published == ["armenia-azerbaijan-truce"]
    assert report.rejected == []
    page = (tmp_path / "site" / "posts" / "armenia-azerbaijan-truce" / "index.html").read_text()
    assert "Armenia and Azerbaijan Say Cease-Fire Truce Fails to Hold" in page
    assert (tmp_path / "site" / "index.html").is_file()
