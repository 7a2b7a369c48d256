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

_RUN = """
const cases = JSON.parse(process.argv[2]);
const answers = cases.map((uri) => handler({request: {method: "GET", uri: uri, headers: {}}}));
console.log(JSON.stringify(answers));
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    require(node is not None, "no Node.js to run the CloudFront function with")
    code = document()["Resources"]["SiteDirectoryIndexFunction"]["Properties"]["FunctionCode"]
    script = tmp_path_factory.mktemp("cloudfront") / "function.js"
    script.write_text(code + _RUN, "utf-8")
    uris = ["/", "/posts/hello/", "/posts/hello", "/feed.xml", "/tags/c.d/", "/archive/2024/05"]

    result = run([str(node), str(script), json.dumps(uris)], cwd=Path(script).parent)

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


@pytest.mark.parametrize("uri", ["/posts/hello", "/archive/2024/05"])
def test_a_directory_without_its_slash_is_redirected(answers: dict[str, Any], uri: str) -> None:
    assert answers[uri]["statusCode"] == 301
    assert answers[uri]["headers"]["location"]["value"] == uri + "/"
