"""The search page (issue 19, item 6) in headless Chromium: it reads the published search
index, shows the posts whose words match, and never turns a title into markup."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from playwright.sync_api import expect

from pressroom_local.template import load_template
from tests.corpus import PROJECT_ROOT
from tests.site.support import SEED_SLUG, published_posts

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Route


@cache
def deployed_csp() -> str:
    """The Content-Security-Policy CloudFront sends with every page (template.yaml), less
    `upgrade-insecure-requests`, which would send this test's plain-HTTP requests to HTTPS."""
    (policy,) = [
        resource["Properties"]["ResponseHeadersPolicyConfig"]
        for resource in load_template(PROJECT_ROOT / "template.yaml")["Resources"].values()
        if resource["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
        and resource["Properties"]["ResponseHeadersPolicyConfig"]["Name"]["Fn::Sub"].endswith(
            "-site"
        )
    ]
    csp = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    return "; ".join(
        directive.strip()
        for directive in csp.split(";")
        if directive.strip() != "upgrade-insecure-requests"
    )


def _with_the_csp(route: Route) -> None:
    response = route.fetch()
    headers = {**response.headers, "content-security-policy": deployed_csp()}
    route.fulfill(response=response, headers=headers)


def _is_a_csp_violation(message: ConsoleMessage) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


def _search(browser: Browser, served_site: str, query: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page()
    # As CloudFront serves it: the theme's own script must run under the site's CSP.
    page.route("**/*", _with_the_csp)
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("console", lambda message: _is_a_csp_violation(message) and failed.append(message.text))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(f"{served_site}search/", wait_until="load")
    page.fill("#search-query", query)
    page.click("button[type=submit]")
    # A locator's wait, not `wait_for_function`, whose string the CSP forbids to evaluate.
    expect(page.locator("#search-status")).to_have_text(re.compile(r"\.$"), timeout=10_000)
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    return page, links, failed


def test_a_search_finds_the_seed_post_by_a_word_of_its_title(
    browser: Browser, served_site: str
) -> None:
    seed = next(post for post in published_posts() if post.slug == SEED_SLUG)
    word = max(seed.title.split(), key=len).strip(".,:;!?").lower()

    page, links, failed = _search(browser, served_site, word)

    assert not failed
    inline_ran = page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
        document.body.append(s); return window.ran === 1 }"""
    )
    assert not inline_ran, "the page runs under the site's CSP, which forbids inline scripts"
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


def test_without_javascript_the_search_page_leads_to_the_archive(
    browser: Browser, served_site: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{served_site}search/", wait_until="load")
        fallback = page.locator("p", has_text="needs JavaScript")

        assert fallback.is_visible()
        assert fallback.locator("a").get_attribute("href") == "/archive/"
    finally:
        context.close()
