"""RFC 8785 canonical JSON: the examples of the RFC, and properties against Python's own encoder."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.awards.jcs import MAX_SAFE_INTEGER, CanonicalizationError, canonicalize


def test_members_sort_by_utf16_code_units_as_rfc8785_section_3_2_3() -> None:
    # The RFC's own sorting example: U+1F600 sorts by its surrogates (D83D DE00), before U+FB33,
    # which sorting by code point would get wrong.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    names = [name for name in json.loads(canonicalize(value))]
    assert names == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_string_escapes_as_rfc8785_section_3_2_2_2() -> None:
    value = "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/"
    assert canonicalize(value) == '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"'.encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": [1, True, None], "a": {"d": False, "c": "中"}}, '{"a":{"c":"中","d":false},"b":[1,true,null]}'),
        ("\b\t\n\f\r\x00\x1f\x7f", '"\\b\\t\\n\\f\\r\\u0000\\u001f\x7f"'),
        ("\u2028龙潭/", '"\u2028龙潭/"'),
        (-0, "0"),
        (MAX_SAFE_INTEGER, "9007199254740991"),
        (-MAX_SAFE_INTEGER, "-9007199254740991"),
        ((1, 2), "[1,2]"),
        ({}, "{}"),
        ([], "[]"),
    ],
)
def test_canonical_bytes(value: object, expected: str) -> None:
    assert canonicalize(value) == expected.encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [1.0, 0.5, float("nan"), MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER - 1, "\ud800", {"\udfff": 1},
     {1: "a"}, b"bytes", {1, 2}, object()],
)
def test_values_outside_the_signed_subset_are_refused(value: object) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize({"x": [value]})


def test_the_error_says_where_the_bad_value_is() -> None:
    with pytest.raises(CanonicalizationError, match=r"\$\.evidence\.share.*float"):
        canonicalize({"evidence": {"share": 0.25}})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)
# Below the surrogate block, code-point order and UTF-16 code-unit order agree.
bmp_text = st.text(st.characters(max_codepoint=0xD7FF))
bmp_values = st.recursive(
    st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | bmp_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(bmp_text, children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_canonical_json_parses_back_to_the_same_value(value: object) -> None:
    assert json.loads(canonicalize(value).decode("utf-8")) == value


@given(bmp_values)
def test_agrees_with_pythons_sorted_compact_encoder_below_the_surrogates(value: object) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonicalize(value) == expected.encode("utf-8")


@given(st.dictionaries(st.text(), st.integers(0, 9), max_size=6))
def test_member_order_of_the_input_does_not_matter(value: dict[str, int]) -> None:
    reversed_value = dict(reversed(list(value.items())))
    assert canonicalize(reversed_value) == canonicalize(value)
