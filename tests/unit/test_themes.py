"""A site's own theme: the templates it provides win, the default theme supplies the rest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pressroom.config import RendererSettings, SiteConfig
from pressroom.exceptions import ConfigurationError
from pressroom.models import PostDocument, PostSummary
from pressroom.site import Theme, render_home_page, render_post_page

SITE = SiteConfig(title="Own", base_url="https://own.example.org/")
ENVIRONMENT = {
    "TABLE_NAME": "t",
    "ARTIFACTS_BUCKET": "a",
    "SITE_BUCKET": "s",
    "SITE_URL": "https://own.example.org/",
}


def document(**fields: object) -> PostDocument:
    values: dict[str, object] = {
        "source_key": "a.md",
        "slug": "a",
        "title": "{{ 7 * 7 }} <b>",
        "date": datetime(2025, 3, 1, tzinfo=UTC),
        "content_hash": "a" * 64,
        "body_markdown": "Body {{ site.title }}",
        "extra": {"mood": "<sunny>"},
    }
    return PostDocument.model_validate(values | fields)


def test_a_site_theme_overrides_only_the_templates_it_has(tmp_path: Path) -> None:
    (tmp_path / "listing.html").write_text(
        "<!doctype html><title>{{ site.title }}</title><p>{{ posts | length }} posts</p>"
    )
    theme = Theme(tmp_path)
    summary = PostSummary.model_validate(document().summary().model_dump())

    home = render_home_page([summary], SITE, theme)
    post = render_post_page(document(), SITE, theme)

    assert home == "<!doctype html><title>Own</title><p>1 posts</p>"
    assert '<link rel="canonical" href="https://own.example.org/posts/a/">' in post


def test_front_matter_is_data_never_a_template(tmp_path: Path) -> None:
    (tmp_path / "post.html").write_text("{{ post.title }}|{{ post.extra.mood }}|{{ body_html }}")

    page = render_post_page(document(), SITE, Theme(tmp_path))

    assert page.startswith("{{ 7 * 7 }} &lt;b&gt;|&lt;sunny&gt;|")
    assert "Body {{ site.title }}" in page


def test_the_theme_setting_names_a_folder_under_the_package_themes() -> None:
    assert RendererSettings.from_environment(ENVIRONMENT).theme_dir.name == "default"
    with pytest.raises(ConfigurationError, match="no folder"):
        _ = RendererSettings.from_environment(ENVIRONMENT | {"THEME": "missing"}).theme_dir
    with pytest.raises(ConfigurationError, match="THEME"):
        RendererSettings.from_environment(ENVIRONMENT | {"THEME": "../etc"})
