"""Normalised views and their maps back to the original text."""

from __future__ import annotations

import pytest

from agent.engine.normalize import TextViews


@pytest.mark.parametrize(
    ("text", "cased", "folded"),
    [
        ("Plain ASCII", "Plain ASCII", "plain ascii"),
        ("zero\u200bwidth\u2060x\ufeffy\u00ad", "zerowidthxy", "zerowidthxy"),
        ("Ｆｕｌｌ", "Full", "full"),
        ("Straße", "Straße", "strasse"),
        ("Сyrillic С", "Cyrillic C", "cyrillic c"),
        ("e\u0301", "é", "é"),  # composed by NFKC
        ("x\u0332y", "xy", "xy"),  # a mark NFKC cannot compose is dropped
        ("s e c r e t plan", "s e c r e t plan", "secret plan"),
        ("a b c", "a b c", "a b c"),  # three letters are not collapsed
        ("ﬁle", "file", "file"),
        # control characters draw nothing, so no rule may see them either
        ("pass\x7fword", "password", "password"),
        ("AKIA\x01IOSF", "AKIAIOSF", "akiaiosf"),
        ("beh\x85alf", "behalf", "behalf"),
        ("\x00a\x1bb\x9fc", "abc", "abc"),
        ("tab\tand\nlines\r\nstay", "tab\tand\nlines\r\nstay", "tab\tand\nlines\r\nstay"),
    ],
)
def test_views(text: str, cased: str, folded: str) -> None:
    views = TextViews(text)
    assert views.cased.text == cased
    assert views.folded.text == folded


@pytest.mark.parametrize("flavour", ["cased", "folded", "leet"])
def test_every_view_character_maps_inside_the_original(flavour: str) -> None:
    text = "😀 Ｓ e c r e t\u200b ß ﬁ р@ss 👩‍👩‍👧 x\u0332 pa\x7fss\x85w\x01d"
    view = TextViews(text).view(flavour)
    for index in range(len(view.text)):
        start, end = view.original_span(index, index + 1)
        assert 0 <= start < end <= len(text)


def test_utf16_offsets() -> None:
    views = TextViews("a😀b")
    assert [views.utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert TextViews("plain").utf16(3) == 3
