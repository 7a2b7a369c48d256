"""Characters no page can carry, replaced as HTML's parser replaces their references."""

from __future__ import annotations

import pytest

from pressroom.characters import replace_unpublishable

PLANES = range(0x10000, 0x110000, 0x10000)


@pytest.mark.parametrize("plane", PLANES, ids=lambda plane: f"plane {plane >> 16}")
def test_each_planes_last_two_code_points_are_replaced(plane: int) -> None:
    text = f"before {chr(plane + 0xFFFE)} and {chr(plane + 0xFFFF)} after"
    assert replace_unpublishable(text) == "before \ufffd and \ufffd after"


@pytest.mark.parametrize(
    "kept",
    [
        "\U0001f600 grinning",  # an emoji
        "\U0001d11e a clef",
        "\U00020000 a CJK ideograph",
        "\U0001fffd, the character before plane 1's last two",
        "\U0010fffd, the last private use character before them",
        "\ufffd itself, and \ufdcf and \ufdf0 beside the noncharacters",
    ],
)
def test_the_other_characters_of_every_plane_are_kept(kept: str) -> None:
    assert replace_unpublishable(kept) == kept


def test_controls_and_bmp_noncharacters_are_replaced_beside_emoji() -> None:
    text = "\x07\U0001f600\x80\ufdd0\uffff\U0001f44d\x81"
    assert replace_unpublishable(text) == "\ufffd\U0001f600\u20ac\ufffd\ufffd\U0001f44d\ufffd"
