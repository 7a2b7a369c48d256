"""Liquid tags, Hugo shortcodes and raw embeds: translated by a scanner, never run; code
left alone; whatever is not translated shown as written, with a warning naming its line."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.limits import DEFAULT_LIMITS
from pressroom.markdown import measure_markdown, render_markdown, sanitize_html
from pressroom.shortcodes import EMBED_SANDBOX, EMBED_SRC, MAX_WARNINGS, translate_shortcodes
from pressroom.validation import validate_post
from tests.html5 import count, parse_body, words


def _lines_warned(text: str) -> list[int | None]:
    return [warning.line for warning in translate_shortcodes(text).warnings]


def test_text_without_tags_is_left_as_it_is() -> None:
    text = "A plain post with {braces}, 50% off and <b>bold</b>.\n"

    translation = translate_shortcodes(text)

    assert translation.markdown == text
    assert translation.warnings == ()


def test_each_untranslated_tag_is_a_warning_naming_its_line() -> None:
    text = "First line.\n\n{% comment %}\n\nSome {{ page.title }} here.\n{{< notice >}}\n"

    warnings = translate_shortcodes(text).warnings

    assert [warning.line for warning in warnings] == [3, 5, 6]
    assert "`{% comment %}` is shown as written" in warnings[0].message
    assert "`{{ page.title }}`" in warnings[1].message
    assert "`{{< notice >}}`" in warnings[2].message


def test_a_tag_kept_is_shown_exactly_as_written() -> None:
    html = render_markdown("{{<notice *warning* [x]>}} and {% if a_b_c | x %}\n")

    assert words(parse_body(html)) == ["{{<notice", "*warning*", "[x]>}}", "and", "{%", "if",
                                       "a_b_c", "|", "x", "%}"]  # fmt: skip


def test_an_unclosed_raw_is_shown_and_the_rest_still_translated() -> None:
    text = "{% raw %} never closed\n\n{{ site.baseurl }}/about/\n"

    translation = translate_shortcodes(text)

    assert translation.markdown.startswith("{% raw %} never closed")
    assert "\n/about/\n" in translation.markdown
    assert [warning.line for warning in translation.warnings] == [1]
    assert "no {% endraw %} closes it" in translation.warnings[0].message


def test_an_unclosed_highlight_is_shown_with_a_warning() -> None:
    text = "{% highlight ruby %}\nputs 1\n"

    translation = translate_shortcodes(text)

    assert translation.markdown == text
    assert "no end tag closes the block" in translation.warnings[0].message


def test_raw_does_not_nest_the_first_endraw_closes_it() -> None:
    text = "{% raw %}a {% raw %} b{% endraw %} c{% endraw %}\n"

    translation = translate_shortcodes(text)

    # As in Liquid: the inner `{% raw %}` is content, the last `{% endraw %}` is a stray tag.
    assert translation.markdown == "a {% raw %} b c{% endraw %}\n"
    assert len(translation.warnings) == 1
    assert "`{% endraw %}`" in translation.warnings[0].message


def test_raw_content_is_kept_out_of_every_other_translation() -> None:
    text = "{% raw %}{{< youtube dQw4w9WgXcQ >}} {{ site.baseurl }}{% endraw %}\n"

    translation = translate_shortcodes(text)

    assert translation.markdown == "{{< youtube dQw4w9WgXcQ >}} {{ site.baseurl }}\n"
    assert translation.embeds == ()
    assert translation.warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        "```\n{{< youtube dQw4w9WgXcQ >}}{% include x.html %}\n```\n",
        "~~~~ liquid\n{{ site.baseurl }} {% post_url 2010-07-21-a %}\n~~~~\n",
        'Intro.\n\n    {% highlight ruby %}\n    <iframe src="https://evil.example"></iframe>\n',
        "- item\n\n  ```\n  {{< vimeo 1 >}}\n  ```\n",
        "> ```\n> {{< figure src=x >}}\n> ```\n",
        "Inline `{% if x %}` and ``{{< youtube `x` >}}`` and `<script>`.\n",
        "[^1]: A note.\n\n    ```\n    {% link x.md %}\n    ```\n",
    ],
    ids=["fence", "tilde-fence", "indented", "in-list", "in-quote", "code-spans", "footnote"],
)
def test_tags_in_code_are_left_as_written(text: str) -> None:
    translation = translate_shortcodes(text)

    assert translation.markdown == text
    assert translation.warnings == ()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "```liquid\n{% raw %}\n{{ page.title }}\n{% endraw %}\n```\n",
            "```liquid\n\n{{ page.title }}\n\n```\n",
        ),
        ("Write `{%- raw -%}{{ x }}{%- endraw -%}`.\n", "Write `{{ x }}`.\n"),
        ("```\n{{</* youtube w7Ft2ymGmfc */>}}\n```\n", "```\n{{< youtube w7Ft2ymGmfc >}}\n```\n"),
        ("`{{%/* note */%}}`\n", "`{{% note %}}`\n"),
    ],
    ids=["raw-in-a-fence", "raw-in-a-span", "escape-in-a-fence", "escape-in-a-span"],
)
def test_in_code_raw_markers_go_and_escapes_show_the_shortcode(text: str, shown: str) -> None:
    """As Jekyll and Hugo read them: both are how authors show template code in code."""
    translation = translate_shortcodes(text)

    assert translation.markdown == shown
    assert translation.warnings == ()


def test_a_backtick_run_without_its_pair_opens_no_code_span() -> None:
    text = "A lone ` tick, then {{ site.baseurl }}/x and ``two`` done.\n"

    assert translate_shortcodes(text).markdown == "A lone ` tick, then /x and ``two`` done.\n"


def test_an_authors_pre_with_source_positions_hides_no_tag() -> None:
    text = '<pre data-sourcepos="1:1-9:9">x</pre>\n\n<script>alert(1)</script>\n'

    assert "<script" not in translate_shortcodes(text).markdown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("{{</* youtube w7Ft2ymGmfc */>}}", "{{< youtube w7Ft2ymGmfc >}}"),
        ('{{%/* ref "x.md" */%}}', '{{% ref "x.md" %}}'),
        ('{{</*figure src="a_b.png"*/>}}', '{{<figure src="a_b.png">}}'),
    ],
)
def test_the_escape_form_prints_the_shortcode(text: str, shown: str) -> None:
    html = render_markdown(f"Write {text} here.\n")

    assert words(parse_body(html)) == ["Write", *shown.split(), "here."]
    assert "<figure" not in html and "<iframe" not in html


@pytest.mark.parametrize(
    "shortcode",
    [
        '{{< youtube "x\\" onload=" >}}',
        '{{< youtube "dQw4w9WgXcQ\\" onload=alert(1) x=" >}}',
        '{{< youtube id="<script>alert(1)</script>" >}}',
        "{{< youtube dQw4w9WgXc >}}",
        '{{< youtube "dQw4w9WgXcQ onload" >}}',
        "{{< vimeo 123abc >}}",
        '{{< vimeo id="1\\" srcdoc=\\"<script>" >}}',
        '{{< gist "a/../b" "1" >}}',
        '{{< tweet user="x\\"><script>" id="1" >}}',
        '{{< ref "javascript:alert(1)" >}}',
        '{{< figure src="x.png" caption="<img src=x onerror=alert(1)>" >}}',
        '{{< figure src="javascript:alert(1)" link="javascript:alert(2)" >}}',
    ],
)
def test_hostile_arguments_make_no_element_and_break_out_of_none(shortcode: str) -> None:
    body = parse_body(render_markdown(f"Before.\n\n{shortcode}\n\nAfter.\n"))

    assert count(body, "iframe") == count(body, "script") == 0
    for element in body.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on"), (element.tag, name)
            assert not value.lower().startswith("javascript:"), (element.tag, name)


def test_a_frame_keeps_only_what_the_sanitiser_allows() -> None:
    html = sanitize_html(
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" sandbox="" '
        'onload="alert(1)" allow="camera" srcdoc="<script>x</script>" loading="eager"></iframe>'
        '<iframe src="https://evil.example/embed/dQw4w9WgXcQ"></iframe>'
    )

    kept, emptied = parse_body(html)
    fixed = {
        "sandbox": EMBED_SANDBOX,
        "loading": "lazy",
        "referrerpolicy": "strict-origin-when-cross-origin",
    }
    assert kept.attrib == {"src": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", **fixed}
    assert emptied.attrib == fixed


@pytest.mark.parametrize(
    "element",
    [
        '<iframe src="https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ"></iframe>',
        '<iframe src="javascript:alert(1)">text</iframe>',
        '<IFRAME SRC="https://player.vimeo.com.evil/video/1">x</IFRAME>',
        '<script src="https://platform.twitter.com/widgets.js"></script>',
        "<script>document.write('hi')</script>",
        '<object data="movie.swf"><param name="q">Flash fallback</object>',
        '<embed src="movie.swf">',
        '<form action="/subscribe"><input name="email"><button>Subscribe</button></form>',
    ],
)
def test_other_frames_scripts_objects_and_forms_leave_no_text(element: str) -> None:
    text = f"Before.\n\n{element}\n\nAfter.\n"

    html = render_markdown(text)

    assert words(parse_body(html)) == ["Before.", "After."]
    assert _lines_warned(text) == [3]


def test_an_unclosed_script_loses_its_tag_not_the_rest_of_the_post() -> None:
    html = render_markdown("<script src=x.js>\n\nThe rest *stays*.\n")

    assert words(parse_body(html)) == ["The", "rest", "stays", "."]


def test_a_tag_too_long_or_across_a_blank_line_is_text() -> None:
    text = "{{< figure src=x\n\ncaption=y >}} and {% " + "x" * 2_000 + " %}\n"

    translation = translate_shortcodes(text)

    assert translation.markdown == text
    assert translation.warnings == ()


def test_warnings_are_bounded() -> None:
    warnings = translate_shortcodes("{% x %}\n" * 500).warnings

    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1].message.startswith(f"{500 - MAX_WARNINGS} more tags")


def test_a_post_with_untranslated_tags_is_published_with_warnings_at_file_lines() -> None:
    raw = (
        b"---\ntitle: Moving from Jekyll\ndate: 2020-01-02\n---\n\nIntro.\n\n"
        b"{% include footer.html %}\n{{< notice >}}\n"
    )

    outcome = validate_post(raw, "posts/moving.md", first_seen=datetime.now(UTC))

    assert outcome.valid
    assert [(warning.line, warning.field) for warning in outcome.warnings] == [
        (8, None),
        (9, None),
    ]


def test_lines_are_measured_after_translation_and_mapped_back() -> None:
    # Each figure makes two elements of one shortcode; the highlight, on one line, takes
    # three: its fence's lines.
    figures = "".join(f'{{{{< figure src="{number}.png" >}}}}\n\n' for number in range(1, 11))
    text = "{% highlight x %}code{% endhighlight %}\n" + figures

    shape = measure_markdown(text, max_elements=21, max_depth=10, max_table_cells=10)

    # The 22nd element is the tenth figure's image, on line 20 of the text as written.
    assert shape.passed == "elements"
    assert shape.line == 20


@pytest.mark.parametrize(
    "text",
    [
        "{% " * 300_000,
        "{{ " * 300_000,
        "{{< " * 250_000,
        "{{</* " * 150_000,
        "{% raw %}" * 100_000,
        "{% highlight x %}" * 60_000,
        "<iframe src=x>" * 70_000,
        "<script>" * 120_000,
        "<iframe" + ' a="b"' * 150_000,
        "`a`` " * 200_000,
        "{% x %}" * 140_000,
        ":a: :smile:" * 90_000,
    ],
    ids=[
        "liquid-openers",
        "output-openers",
        "shortcode-openers",
        "escape-openers",
        "raw-unclosed",
        "highlight-unclosed",
        "iframes-unclosed",
        "scripts-unclosed",
        "attributes",
        "backticks",
        "unknown-tags",
        "emoji",
    ],
)
def test_a_megabyte_of_openers_is_scanned_in_linear_time(text: str) -> None:
    started = time.perf_counter()

    translate_shortcodes(text)
    render_markdown(text[: DEFAULT_LIMITS.max_object_bytes // 8])

    # A catastrophic (quadratic) scan of a megabyte takes minutes; a linear one about a second.
    assert time.perf_counter() - started < 10


# The pieces tags, code and embeds are made of, for texts that cut them anywhere.
_PIECES = [
    "{%", "%}", "{{", "}}", "{{<", ">}}", "{{%", "%}}", "{{</*", "*/>}}", " raw ", " endraw ",
    " highlight ", " endhighlight ", "/highlight", " youtube ", " vimeo ", " figure ", " ref ",
    " post_url ", " include ", "w7Ft2ymGmfc", "146022717", 'src="x.png"', '"', "'", "`", "```",
    "\n", "\n\n", "    ", "> ", "- ", "<iframe ", 'src="//youtube.com/embed/w7Ft2ymGmfc"',
    "></iframe>", "<script>", "</script>", "<form>", "</form>", ">", ":tada:", ":", "x",
    "<!--pressroom-embed-0-->", "site.baseurl",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_any_arrangement_of_tags_renders_valid_safe_html(text: str) -> None:
    translation = translate_shortcodes(text)
    body = parse_body(render_markdown(text))

    assert all(warning.line is None or warning.line >= 1 for warning in translation.warnings)
    assert count(body, "script") == count(body, "form") == 0
    for frame in body.iter("{http://www.w3.org/1999/xhtml}iframe"):
        assert EMBED_SRC.fullmatch(frame.attrib.get("src", "")) or "src" not in frame.attrib
        assert frame.attrib["sandbox"] == EMBED_SANDBOX
