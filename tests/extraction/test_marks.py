"""Quotation marks paired (extraction/marks.py): every convention, nesting, apostrophes and
marks left unbalanced."""

import pytest

from extraction.marks import outermost, pair


def quoted(text):
    return [q.text(text) for q in outermost(pair(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said “we will defend” it.", ["we will defend"]),
        ('He said "we will defend" it.', ["we will defend"]),
        ("Он сказал «мы защитим» это.", ["мы защитим"]),
        ("Er sagte „wir verteidigen“ es.", ["wir verteidigen"]),
        ("He wants ‘less’ of NATO.", ["less"]),
        (
            "We 'strive for a better relationship' — Stoltenberg",
            ["strive for a better relationship"],
        ),
        ("Sweden: ”vi försvarar” sa han.", ["vi försvarar"]),
    ],
)
def test_every_convention_pairs(text, expected):
    assert quoted(text) == expected


def test_apostrophes_are_not_marks():
    text = "Russia’s army and NATO's plans: ‘the Kremlin’s aim’ isn't clear, in the '90s."
    assert quoted(text) == ["the Kremlin’s aim"]


def test_a_nested_quotation_stays_inside_the_outer_one():
    text = "They condemned \"whipping up a myth on 'a threat from the East'.\" Then they left."
    found = pair(text)
    assert [q.text(text) for q in found] == [
        "whipping up a myth on 'a threat from the East'.",
        "a threat from the East",
    ]
    assert [q.depth for q in found] == [0, 1]
    assert quoted(text) == ["whipping up a myth on 'a threat from the East'."]


def test_an_unbalanced_mark_pairs_with_nothing():
    assert quoted("He said “we will defend it. Then he left.") == []
    assert quoted("An “opened one and a “closed one” here.") == ["closed one"]


def test_a_quotation_reopened_in_the_next_paragraph_ran_to_the_end_of_its_own():
    text = "“First paragraph of the speech.\n\n“Second paragraph,” he said."
    assert quoted(text) == ["First paragraph of the speech.", "Second paragraph,"]


def test_a_quotation_across_a_page_break_is_one():
    text = '"We are striving for a\n\n\n\nbetter relationship," he said.'
    assert quoted(text) == ["We are striving for a\n\n\n\nbetter relationship,"]
