"""The CloudFront function that answers a redirect page with a 301, run under Node.

The renderer stores each page it leaves at an old URL with its target as the object's
website redirect location; S3 sends it as `x-amz-website-redirect-location`, and this
viewer-response function (cloudfront-js-2.0) turns such a page into a 301 to it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.test_directory_index_function import HOSTILE_URIS, SITE
from tests.infra.tooling import document, require, run

REDIRECT_HEADER = "x-amz-website-redirect-location"

_RUN = """
const cases = JSON.parse(process.argv[2]);
const answers = cases.map(([status, headers]) => {
  const response = {statusCode: status, statusDescription: "", headers: headers};
  const answer = handler({request: {method: "GET", uri: "/old/", headers: {}}, response});
  if (answer.headers.location) {
    answer.resolved = new URL(answer.headers.location.value, process.argv[3]).href;
  }
  return answer;
});
console.log(JSON.stringify(answers));
"""

PAGE = {"content-type": {"value": "text/html; charset=utf-8"}}


def _redirect_page(target: str) -> dict[str, dict[str, str]]:
    return {**PAGE, REDIRECT_HEADER: {"value": target}}


def _answer(cases: list[tuple[int, dict[str, Any]]], tmp_path: Path) -> list[dict[str, Any]]:
    node = shutil.which("node")
    require(node is not None, "no Node.js to run the CloudFront function with")
    function = document()["Resources"]["SiteRedirectFunction"]["Properties"]
    script = tmp_path / "function.js"
    script.write_text(function["FunctionCode"] + _RUN, "utf-8")

    result = run([str(node), str(script), json.dumps(cases), SITE], cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    return answers


def test_it_answers_viewer_responses_of_every_page() -> None:
    template = document()
    function = template["Resources"]["SiteRedirectFunction"]["Properties"]
    behaviour = template["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"][
        "DefaultCacheBehavior"
    ]

    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    associated = {
        association["EventType"]: association["FunctionARN"]["Fn::GetAtt"][0]
        for association in behaviour["FunctionAssociations"]
    }
    assert associated["viewer-response"] == "SiteRedirectFunction"


@pytest.mark.parametrize(
    "target", ["/posts/night-trains/", "/2021/01/14/night-trains.html", "/tags/%E6%97%A5/"]
)
def test_a_redirect_page_is_answered_with_a_301_to_its_target(target: str, tmp_path: Path) -> None:
    [answer] = _answer([(200, _redirect_page(target))], tmp_path)

    assert answer["statusCode"] == 301
    assert answer["headers"]["location"] == {"value": target}
    assert REDIRECT_HEADER not in answer["headers"], "the bucket's header stays inside"
    assert answer["resolved"] == SITE.rstrip("/") + target


def test_any_other_response_passes_as_it_came(tmp_path: Path) -> None:
    page, not_modified = _answer(
        [(200, PAGE), (304, _redirect_page("/posts/night-trains/"))], tmp_path
    )

    assert page["statusCode"] == 200
    assert page["headers"] == PAGE
    assert "location" not in page["headers"]
    # A conditional request the browser's cached copy answers: no redirect made of it.
    assert not_modified["statusCode"] == 304
    assert "location" not in not_modified["headers"]


@pytest.mark.parametrize("target", HOSTILE_URIS)
def test_a_redirect_never_leaves_the_site(target: str, tmp_path: Path) -> None:
    [answer] = _answer([(200, _redirect_page(target))], tmp_path)

    location = answer["headers"]["location"]["value"]
    assert answer["resolved"].startswith(SITE), (location, answer["resolved"])
    assert location.startswith("/")
    assert location[1:2] not in {"/", "\\"}
