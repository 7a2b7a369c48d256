"""The CloudFront function that gives the S3 origin directory indexes, run under Node.

Pages are stored as <path>/index.html and linked as <path>/; the function
(cloudfront-js-2.0, a subset of ECMAScript that Node also runs) rewrites
viewer requests to match.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.tooling import document, require, run

SITE = "https://site.example/"

# Each answer carries where a browser on the site would go from a redirect's Location,
# resolved by Node's WHATWG URL parser (the one browsers follow).
_RUN = """
const cases = JSON.parse(process.argv[2]);
const answers = cases.map((uri) => {
  const answer = handler({request: {method: "GET", uri: uri, headers: {}}});
  if (answer.headers && answer.headers.location) {
    answer.resolved = new URL(answer.headers.location.value, process.argv[3]).href;
  }
  return answer;
});
console.log(JSON.stringify(answers));
"""

# A request path that a browser or a hand-made request can send, each trying to turn the
# trailing-slash redirect into one off the site (a scheme-relative `//host` Location).
HOSTILE_URIS = [
    "//3627734734",
    "//evil.com/x",
    "///evil.com/x",
    "////evil.com/x",
    "/\\evil.com/x",
    "/\\/evil.com/x",
    "//\\evil.com/x",
    "/\\\\evil.com/x",
    "/\t/evil.com/x",
    "/\n/evil.com/x",
    "/\r\n/evil.com/x",
    "\t//evil.com/x",
    "/ /evil.com/x",
    "/%2F%2Fevil.com/x",
    "/%2f/evil.com/x",
    "/%5C%5Cevil.com/x",
    "/%09/evil.com/x",
    "//user@evil.com/x",
    "evil.com/x",
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    require(node is not None, "no Node.js to run the CloudFront function with")
    code = document()["Resources"]["SiteDirectoryIndexFunction"]["Properties"]["FunctionCode"]
    script = tmp_path_factory.mktemp("cloudfront") / "function.js"
    script.write_text(code + _RUN, "utf-8")
    uris = [
        "/",
        "/posts/hello/",
        "/posts/hello",
        "/feed.xml",
        "/tags/c.d/",
        "/archive/2024/05",
        "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E",
        *HOSTILE_URIS,
    ]

    result = run([str(node), str(script), json.dumps(uris), SITE], cwd=Path(script).parent)

    assert result.returncode == 0, result.stderr
    return dict(zip(uris, json.loads(result.stdout), strict=True))


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/posts/hello/", "/posts/hello/index.html"),
        ("/tags/c.d/", "/tags/c.d/index.html"),
        ("/feed.xml", "/feed.xml"),
    ],
)
def test_directories_are_served_their_index(answers: dict[str, Any], uri: str, served: str) -> None:
    assert answers[uri]["uri"] == served


@pytest.mark.parametrize(
    "uri", ["/posts/hello", "/archive/2024/05", "/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E"]
)
def test_a_directory_without_its_slash_is_redirected(answers: dict[str, Any], uri: str) -> None:
    assert answers[uri]["statusCode"] == 301
    assert answers[uri]["headers"]["location"]["value"] == uri + "/"


@pytest.mark.parametrize("uri", HOSTILE_URIS)
def test_a_redirect_never_leaves_the_site(answers: dict[str, Any], uri: str) -> None:
    answer = answers[uri]

    if "resolved" in answer:
        location = answer["headers"]["location"]["value"]
        assert answer["resolved"].startswith(SITE), (location, answer["resolved"])
        assert location.startswith("/")
        assert location[1:2] not in {"/", "\\"}


def test_leading_slashes_collapse_to_one(answers: dict[str, Any]) -> None:
    assert answers["//3627734734"]["headers"]["location"]["value"] == "/3627734734/"
