"""Reading the site's configuration file (`siteconfig.py`): `pressroom.yaml` strictly, with
errors naming the key and the line; Jekyll's and Hugo's files by their documented keys."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from pressroom.config import SiteConfig, shown_date
from pressroom.limits import DEFAULT_LIMITS
from pressroom.models import SiteSettings
from pressroom.ports import SourceObject
from pressroom.siteconfig import MAX_CONFIG_BYTES, is_config_source, site_source, validate_config
from pressroom.validation import validate_source

NOW = datetime(2024, 5, 1, tzinfo=UTC)


def _read(
    key: str, text: str
) -> tuple[SiteSettings | None, list[tuple[str | None, int | None, str]]]:
    body = text.encode()
    verdict = validate_config(key, body, len(body), DEFAULT_LIMITS)
    issues = [
        (issue.field, issue.line, issue.message) for issue in verdict.errors + verdict.warnings
    ]
    return verdict.settings, issues


def test_every_documented_key_is_read() -> None:
    settings, issues = _read(
        "pressroom.yaml",
        """title: Field Notes
description: Notes from the road
author: Ana Reyes
base_url: https://notes.example.org
language: en-GB
timezone: Europe/Lisbon
permalink: /:year/:month/:title/
menu:
  - {name: About, url: /about/, weight: 2}
  - {name: Photos, url: "https://photos.example.org/", weight: 1}
social:
  - {name: Mastodon, url: "https://social.example/@ana"}
  - {name: Mail, url: "mailto:ana@example.org"}
home_page_size: 10
list_page_size: 30
feed_size: 15
date_format: "%-d %b %Y"
footer: Written on the road.
""",
    )
    assert issues == []
    assert settings is not None
    config = SiteConfig().with_settings(site_source("pressroom.yaml", settings))
    assert config.title == "Field Notes"
    assert config.base_url == "https://notes.example.org/"
    assert [entry.name for entry in config.menu] == ["Photos", "About"], "lightest first"
    assert (config.home_size, config.list_page_size, config.feed_size) == (10, 30, 15)
    assert config.show_date(datetime(2024, 7, 4, 23, 30, tzinfo=UTC)) == "5 Jul 2024"


def test_unknown_keys_and_bad_values_are_errors_with_their_lines() -> None:
    settings, issues = _read(
        "pressroom.yaml",
        """title: Field Notes
paginate: 10
base_url: notes.example.org
menu:
  - {name: About, url: "javascript:alert(1)"}
feed_size: 0
timezone: Mars/Olympus
date_format: "%s since the epoch"
""",
    )
    assert settings is None
    assert [(field, line) for field, line, _ in issues] == [
        ("paginate", 2),
        ("base_url", 3),
        ("menu.0.url", 4),
        ("feed_size", 6),
        ("timezone", 7),
        ("date_format", 8),
    ]
    assert "is not a setting Pressroom knows" in issues[0][2]
    assert "http(s) or mailto" in issues[2][2]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: [unclosed\n", 2),
        ("- a list\n- not a mapping\n", 1),
        ("title: !!python/object:os.system x\n", 1),
    ],
)
def test_a_file_that_is_not_a_yaml_mapping_is_refused_with_its_line(text: str, line: int) -> None:
    settings, issues = _read("pressroom.yaml", text)
    assert settings is None
    assert issues[0][1] == line


def test_a_control_character_in_a_setting_is_refused() -> None:
    settings, issues = _read("pressroom.yaml", 'title: "Field\\u0007Notes"\n')
    assert settings is None
    assert issues[0][:2] == ("title", 1)


def test_an_oversized_file_is_refused_unread() -> None:
    verdict = validate_config("pressroom.yaml", None, MAX_CONFIG_BYTES + 1, DEFAULT_LIMITS)
    assert verdict.settings is None
    assert "over the limit" in verdict.errors[0].message


def test_jekyll_config_keeps_its_title_url_and_author_and_warns_of_what_it_cannot_use() -> None:
    settings, issues = _read(
        "_config.yml",
        """title: Slow Travel
url: https://slow.example.org
baseurl: /blog
author:
  name: Ana Reyes
  email: ana@example.org
paginate: 8
timezone: Atlantis/Capital
plugins: [jekyll-feed, jekyll-seo-tag]
""",
    )
    assert settings is not None
    assert settings.title == "Slow Travel"
    assert settings.base_url == "https://slow.example.org/blog/"
    assert settings.author == "Ana Reyes"
    assert settings.home_page_size == 8
    assert [(field, line) for field, line, _ in issues] == [("timezone", 8)]


def test_hugo_config_keeps_its_title_menu_and_parameters() -> None:
    settings, issues = _read(
        "hugo.toml",
        """baseURL = "https://coast.example.org/"
title = "Coast paths"
languageCode = "en-gb"
[params]
description = "Walking the coast"
author = "Bo"
[pagination]
pagerSize = 7
[[menus.main]]
name = "About"
pageRef = "/about/"
weight = 2
""",
    )
    assert issues == []
    assert settings is not None
    assert settings.description == "Walking the coast"
    assert settings.menu[0].url == "/about/"
    assert settings.home_page_size == 7


@pytest.mark.parametrize(
    ("permalinks", "style"),
    [
        ('[permalinks]\nposts = "/:year/:month/:slug/"\n', "/:year/:month/:slug/"),
        ('[permalinks]\npost = "/:year/:slug/"\n', "/:year/:slug/"),
        ('[permalinks.page]\nposts = "/:year/:slug/"\n', "/:year/:slug/"),
        # A blog whose posts are in a section of another name: its one pattern.
        ('[permalinks]\nblog = "/:section/:year/:slug/"\n', "/:section/:year/:slug/"),
        ('[permalinks.page]\nnotes = "/:year/:slug/"\n', "/:year/:slug/"),
        # Two sections of other names: which is the blog's is not said.
        ('[permalinks]\nblog = "/:year/:slug/"\nnotes = "/n/:slug/"\n', None),
        # A taxonomy's pattern places its pages, not posts.
        ('[permalinks]\ntags = "/topics/:slug/"\n', None),
        ('[permalinks]\ntags = "/topics/:slug/"\nblog = "/:year/:slug/"\n', "/:year/:slug/"),
    ],
)
def test_hugos_permalinks_give_the_style_of_the_section_a_blog_keeps_its_posts_in(
    permalinks: str, style: str | None
) -> None:
    settings, issues = _read("hugo.toml", f'title = "Coast paths"\n{permalinks}')

    assert issues == []
    assert settings is not None
    assert settings.permalink == style


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("hugo.yaml", 'title: Coast paths\npermalinks:\n  posts: "/:year/:slug/"\n'),
        ("config.yml", 'title: Coast paths\npermalinks:\n  posts: "/:year/:slug/"\n'),
        ("hugo.json", '{"title": "Coast paths", "permalinks": {"posts": "/:year/:slug/"}}'),
    ],
)
def test_hugos_configuration_is_read_in_each_of_its_formats(key: str, text: str) -> None:
    assert is_config_source(key)
    settings, issues = _read(key, text)

    assert issues == []
    assert settings is not None
    assert (settings.title, settings.permalink) == ("Coast paths", "/:year/:slug/")


def test_the_validator_reads_a_configuration_as_kind_config_with_its_post_url_style() -> None:
    body = b"title: T\npermalink: pretty\n"
    outcome = validate_source(
        SourceObject(key="pressroom.yaml", size=len(body), body=body), first_seen=NOW
    )
    assert outcome.kind == "config"
    assert outcome.valid and not outcome.warnings
    assert outcome.site is not None and outcome.site.slug == "@pressroom.yaml"
    assert outcome.site.settings.permalink == "pretty"


def test_a_configuration_elsewhere_than_the_root_is_no_configuration() -> None:
    outcome = validate_source(
        SourceObject(key="drafts/pressroom.yaml", size=10, body=b"title: T\n"), first_seen=NOW
    )
    assert outcome.kind is None
    assert not outcome.valid


def test_dates_are_shown_in_the_site_time_zone_and_format() -> None:
    late = datetime(2021, 7, 4, 23, 30, tzinfo=UTC)
    assert shown_date(late) == "4 July 2021"
    assert shown_date(late, "%b %-d, %Y", "Asia/Tokyo") == "Jul 5, 2021"
    assert shown_date(late, "%d/%m/%Y %H:%M", "America/New_York") == "04/07/2021 19:30"


def test_a_time_zone_resolves_without_a_system_tz_database() -> None:
    """A Lambda runtime may have no /usr/share/zoneinfo: the layer's `tzdata` answers."""
    script = (
        "import zoneinfo; zoneinfo.reset_tzpath([]); print(zoneinfo.ZoneInfo('Europe/Lisbon').key)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "Europe/Lisbon", done.stderr
