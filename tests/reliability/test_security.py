"""Hostile front matter and bodies: no active content reaches a page, no template runs.

Payloads follow the families of OWASP's XSS filter-evasion cheat sheet. Each
goes through every front-matter field and the body of its own post; the
whole lot is published through the pipeline, and every page (and the feed's
HTML) is parsed and searched for anything a browser would run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from pressroom_local.publish import PublishReport, publish
from reliability.harness import PROJECT_ROOT, SITE_URL

XSS = {
    "script": "<script>alert('xss')</script>",
    "script-src": '<SCRIPT SRC="https://xss.example/xss.js"></SCRIPT>',
    "script-split": "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "script-malformed": '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "script-unclosed": "<SCRIPT SRC=https://xss.example/xss.js?< B >",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-no-quotes": "<IMG SRC=javascript:alert('XSS')>",
    "img-entities": (
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
        "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"
    ),
    "img-hex-entities": "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61>",
    "img-tab": "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "img-newline": "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "img-leading-space": "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "a-javascript": '<a href="javascript:alert(1)">click</a>',
    "a-case": '<a href="JaVaScRiPt:alert(1)">click</a>',
    "a-data": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "a-vbscript": "<a href=\"vbscript:msgbox('XSS')\">x</a>",
    "markdown-link": "[click](javascript:alert(1)) [d](data:text/html,<script>alert(1)</script>)",
    "markdown-image": "![x](javascript:alert(1)) ![y](vbscript:msgbox(1))",
    "autolink": "<javascript:alert(1)>",
    "body-onload": "<BODY ONLOAD=alert('XSS')>",
    "svg-onload": "<svg/onload=alert('XSS')>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-a": '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    "math": '<math><mtext><a href="javascript:alert(1)">m</a></mtext></math>',
    "style-tag": "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE>",
    "style-attr": "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">d</DIV>",
    "style-expression": "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "iframe": "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "frameset": "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "object": '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html"></OBJECT>',
    "embed": (
        '<EMBED SRC="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+">'
    ),
    "meta-refresh": '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "base-href": "<BASE HREF=\"javascript:alert('XSS');//\">",
    "link-stylesheet": '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "form-action": '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">x',
    "input-onfocus": "<input autofocus onfocus=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "attribute-breakout": '"><script>alert(1)</script>',
    "single-quote-breakout": "'><img src=x onerror=alert(1)>",
    "comment-trick": '<!--<img src="--><img src=x onerror=alert(1)//">',
    "cdata": "<![CDATA[<script>alert(1)</script>]]>",
    "table-background": "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "bgsound": "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "null-byte": '<IMG SRC=java\x00script:alert("XSS")>',
    "url-encoded": '<A HREF="http://%77%77%77%2E%67%6F%6F%67%6C%65%2E%63%6F%6D">ok</A>',
    "plain-javascript-url": "javascript:alert(1)",
    "plain-data-url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
}
TEMPLATES = {
    "jinja-expression": "{{ 7*191 }}",
    "jinja-concat": "{{ 'tpl' ~ 'ran' }}",
    "jinja-statement": "{% for x in range(3) %}LOOP{% endfor %}",
    "jinja-ssti": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "jinja-config": "{{ config.items() }}{{ self.__init__.__globals__ }}",
    "jinja-comment": "{# hidden #}COMMENT-SURVIVES",
}
EVALUATED = ("1337", "tplran", "LOOPLOOP", "<class", "&lt;class", "dict_items")
PAYLOADS = {**XSS, **TEMPLATES}
FIELDS = (
    "title",
    "description",
    "tags",
    "categories",
    "image",
    "slug",
    "permalink",
    "extra",
    "body",
)
ACTIVE_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "button",
    "textarea",
    "select",
    "svg",
    "math",
    "bgsound",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "dynsrc",
    "lowsrc",
}
_URL_META = re.compile(r"^(og|twitter):(image|url|video|audio)")
"""Meta tags whose content a crawler or a browser follows as a URL."""
_ACTIVE_SCHEME = re.compile(r"^(javascript|data|vbscript|livescript):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u200b-\u200f\u2028\u2029\ufeff]+")


def post_source(field_name: str, payload: str, number: int) -> str:
    """A post whose `field_name` carries `payload`; every other field harmless."""
    front: dict[str, object] = {
        "title": f"Hostile post {number}",
        "date": f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}",
        "slug": f"hostile-{number}",
        "description": "A hostile post.",
        "tags": ["hostile"],
    }
    body = f"A harmless paragraph of post {number}.\n"
    match field_name:
        case "tags" | "categories":
            front[field_name] = [payload, "hostile"]
        case "permalink":
            del front["slug"]
            front["permalink"] = f"/posts/{payload}/"
        case "extra":
            front["image_alt"] = payload
            front["author"] = payload
            front["image"] = "/images/cover.png"
        case "body":
            body = f"{payload}\n\nAnd inline: {payload} end.\n"
        case _:
            front[field_name] = payload
    return "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n\n" + body


@dataclass
class ActiveContent(HTMLParser):
    """Everything on a page that a browser would run, load as a document, or style."""

    found: list[str] = field(default_factory=list)
    in_head: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        if tag in ACTIVE_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "style" and not self.in_head:
            self.found.append("<style> outside the theme's head")
        if tag == "link" and not self.in_head:
            self.found.append("<link> outside the head")
        named = dict(attrs)
        if tag == "input" and not _task_list_checkbox(named):
            self.found.append(f"<input {named}>")
        if tag == "meta" and "http-equiv" in named:
            self.found.append(f"<meta http-equiv={named['http-equiv']}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name == "style":
                self.found.append(f"<{tag} style>")
            url_meta = (
                tag == "meta"
                and name == "content"
                and _URL_META.match(str(named.get("property") or named.get("name") or ""))
            )
            if name in URL_ATTRIBUTES or url_meta:
                for url in (value or "").split(","):
                    if _ACTIVE_SCHEME.match(_INVISIBLE.sub("", url).lower()):
                        self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def _task_list_checkbox(attributes: dict[str, str | None]) -> bool:
    """GitHub's task lists render `<input type="checkbox" disabled>`: it takes no input."""
    return (
        "disabled" in attributes
        and attributes.get("type", "checkbox") == "checkbox"
        and set(attributes) <= {"type", "checked", "disabled"}
    )


def active_content(html: str) -> list[str]:
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    return parser.found


def feed_html(feed: str) -> Iterator[str]:
    """The HTML that Atom entries carry (text constructs of type html; type text is shown as
    text, whatever it holds)."""
    atom = "{http://www.w3.org/2005/Atom}"
    for element in ET.fromstring(feed).iter():
        html = element.get("type") in ("html", "xhtml")
        if element.tag in (f"{atom}content", f"{atom}summary", f"{atom}title") and html:
            yield (
                ET.tostring(element, encoding="unicode")
                if element.get("type") == "xhtml"
                else (element.text or "")
            )


@dataclass(frozen=True)
class Published:
    report: PublishReport
    site: Path
    sources: dict[str, tuple[str, str]]
    """Source file name → (field, payload name)."""


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    posts = tmp_path_factory.mktemp("hostile")
    sources = {}
    cases = [(f, name) for f in FIELDS for name in PAYLOADS]
    for number, (field_name, name) in enumerate(cases):
        path = posts / f"{field_name}-{name}.md"
        path.write_text(post_source(field_name, PAYLOADS[name], number), encoding="utf-8")
        sources[path.name] = (field_name, name)
    site = tmp_path_factory.mktemp("site") / "site"
    report = publish([posts], site, site_url=SITE_URL, project_root=PROJECT_ROOT)
    return Published(report, site, sources)


def test_most_hostile_posts_are_published_not_just_rejected(published: Published) -> None:
    # The pass proves something only if the payloads reach the renderer.
    assert len(published.report.published) > len(published.sources) * 0.6


def test_no_page_carries_active_content(published: Published) -> None:
    pages = sorted(published.site.rglob("*.html"))
    assert len(pages) > len(published.report.published)
    found = {
        str(page.relative_to(published.site)): problems
        for page in pages
        if (problems := active_content(page.read_text(encoding="utf-8")))
    }
    # The theme's search page has its own form and script, and nothing an author wrote.
    search = found.pop("search/index.html", [])
    assert found == {}
    assert [problem.split(" ")[0].rstrip(">") for problem in search] == [
        "<form",
        "<input",
        "<button",
        "<script",
    ]
    assert 'src="/search/search.js"' in (published.site / "search" / "index.html").read_text()


def test_the_feed_carries_no_active_content(published: Published) -> None:
    feed = (published.site / "feed.xml").read_text(encoding="utf-8")
    found = [problem for html in feed_html(feed) for problem in active_content(html)]
    assert found == []


def test_no_template_syntax_is_evaluated(published: Published) -> None:
    for page in published.site.rglob("*"):
        if page.is_file():
            text = page.read_text(encoding="utf-8")
            assert not [mark for mark in EVALUATED if mark in text], page


def test_template_syntax_in_a_title_is_shown_literally(published: Published) -> None:
    title_pages = {
        "jinja-expression": "{{ 7*191 }}",
        "jinja-statement": "{% for x in range(3) %}LOOP{% endfor %}",
        "jinja-comment": "{# hidden #}COMMENT-SURVIVES",
    }
    for name, literal in title_pages.items():
        number = list(published.sources.values()).index(("title", name))
        page = published.site / "posts" / f"hostile-{number}" / "index.html"
        assert literal in page.read_text(encoding="utf-8").replace("&#39;", "'"), name
