"""The search page (issue 19, item 6) in headless Chromium: it reads the published search
index, shows the posts whose words match, and never turns a title into markup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.site.support import SEED_SLUG, published_posts

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _search(browser: Browser, served_site: str, query: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(f"{served_site}search/", wait_until="load")
    page.fill("#search-query", query)
    page.click("button[type=submit]")
    page.wait_for_function(
        "document.getElementById('search-status').textContent.endsWith('.')", timeout=10_000
    )
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    return page, links, failed


def test_a_search_finds_the_seed_post_by_a_word_of_its_title(
    browser: Browser, served_site: str
) -> None:
    seed = next(post for post in published_posts() if post.slug == SEED_SLUG)
    word = max(seed.title.split(), key=len).strip(".,:;!?").lower()

    page, links, failed = _search(browser, served_site, word)

    assert not failed
    assert f"{served_site}{seed.path}" in links
    assert "?q=" in page.url, "the query is kept in the address, so a search can be linked"
    page.close()


def test_a_search_for_nothing_on_the_site_says_so(browser: Browser, served_site: str) -> None:
    page, links, failed = _search(browser, served_site, "zzqxvw")

    assert not failed
    assert links == []
    assert page.locator("#search-status").text_content() == "No post matches."
    page.close()


def test_results_show_titles_as_text(browser: Browser, served_site: str) -> None:
    # The corpus's hostile post has markup in its title: it must arrive as text.
    page, _, failed = _search(browser, served_site, "script")

    assert not failed
    assert page.locator("#search-results script, #search-results img").count() == 0
    page.close()
