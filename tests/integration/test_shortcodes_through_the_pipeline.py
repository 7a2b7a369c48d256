"""A post migrated from Hugo, through every function: its player published sandboxed, and
what was not translated in its status, by line, for `pressroom status` to show."""

from __future__ import annotations

from pathlib import Path

from pressroom_local.stack import LocalStack

POST = """---
title: From Hugo
date: 2021-06-01
---

The talk:

{{< youtube w7Ft2ymGmfc >}}

{{< instagram BWNjjyYFxVx >}} :tada:
"""


def test_a_migrated_post_is_published_and_its_status_names_what_was_not_translated(
    stack: LocalStack, tmp_path: Path
) -> None:
    source = tmp_path / "from-hugo.md"
    source.write_text(POST, encoding="utf-8")

    stack.upload([("posts/from-hugo.md", source)])
    stack.router.drain()

    status = stack.statuses(["posts/from-hugo.md"])["posts/from-hugo.md"]
    assert status is not None and status.status == "published"
    assert [(warning.line, warning.message.split(" is ")[0]) for warning in status.warnings] == [
        (10, "`{{< instagram BWNjjyYFxVx >}}`")
    ]
    s3 = stack.session.client("s3")
    page = s3.get_object(Bucket=stack.site_bucket, Key="posts/from-hugo/index.html")
    html = page["Body"].read().decode("utf-8")
    assert '<iframe src="https://www.youtube-nocookie.com/embed/w7Ft2ymGmfc"' in html
    assert "{{&lt; instagram BWNjjyYFxVx &gt;}} 🎉" in html
