"""What `pressroom local`'s server adds to the pages it serves: the live-reload script, told
which version of the page it was served."""

from __future__ import annotations

from pressroom_local.serve import LIVE_RELOAD_SCRIPT, SiteObject, request_key, with_live_reload

PAGE = b"<!DOCTYPE html>\n<html><body>\n<main>Harbour lights</main>\n</body>\n</html>\n"
TYPE = "text/html; charset=utf-8"


def test_the_script_goes_before_the_end_of_the_body_with_the_pages_etag() -> None:
    served = with_live_reload(SiteObject(PAGE, TYPE, '"5d41402abc4b2a76"'))

    body = served.body.decode()
    script = '<script src="/_pressroom/live-reload.js" data-etag="&quot;5d41402abc4b2a76&quot;"'
    assert script in body
    assert body.index(script) < body.index("</body>")
    assert body.replace(body[body.index("<script") : body.index("</script>\n") + 10], "") == (
        PAGE.decode()
    )


def test_a_page_without_a_body_end_gets_the_script_at_its_end() -> None:
    served = with_live_reload(SiteObject(b"<p>Moved.", TYPE))

    assert served.body.startswith(b"<p>Moved.<script ")
    assert b'data-etag=""' in served.body


def test_paths_name_the_keys_the_server_reads() -> None:
    assert request_key("/") == "index.html"
    assert request_key("/posts/harbour-lights/") == "posts/harbour-lights/index.html"
    assert request_key("/tags/%E6%97%A5%E6%9C%AC/") == "tags/日本/index.html"
    assert request_key("/feed.xml") == "feed.xml"


def test_the_script_ships_with_the_package() -> None:
    assert "EventSource" in LIVE_RELOAD_SCRIPT.read_text(encoding="utf-8")
