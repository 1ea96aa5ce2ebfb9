"""Errors at the boundary: what is rejected, and that the message names the culprit."""

from __future__ import annotations

import math

import pytest

from coding import (
    Code,
    DecodeError,
    Distribution,
    canonical,
    cross_entropy,
    entropy,
    fixed_length,
    from_codewords,
    huffman,
    kl_divergence,
    shannon,
)

INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
SCHEME3 = {"blue": "10", "red": "0", "green": "110", "yellow": "111"}


def _positive_zero(x: float) -> bool:
    return x == 0.0 and math.copysign(1.0, x) == 1.0


# --- Distribution ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pmf", "pattern"),
    [
        ({"blue": -0.25, "red": 1.25}, r"'blue'.*non-negative.*-0\.25"),
        ({"blue": float("nan"), "red": 0.5}, r"'blue'.*finite.*nan"),
        ({"blue": float("inf"), "red": 0.5}, r"'blue'.*finite.*inf"),
        ({"blue": 0.5, "red": 0.47}, r"sum to 1.*0\.97"),
        ({"blue": 0.5, "red": 0.5 + 2e-9}, r"sum to 1.*1\.000000002"),
        ({}, r"empty"),
    ],
    ids=["negative", "nan", "inf", "short-sum", "sum-off-by-2e-9", "empty"],
)
def test_distribution_rejects_bad_pmf_naming_the_value(pmf, pattern):
    with pytest.raises(ValueError, match=pattern):
        Distribution(pmf)


def test_distribution_accepts_sum_within_tolerance_and_zeros():
    p = Distribution({"blue": 0.5, "red": 0.5 - 5e-10, "green": 0.0})
    assert p["green"] == 0.0
    assert p.support() == ("blue", "red")


@pytest.mark.parametrize(
    ("counts", "pattern"),
    [
        ({"blue": -1, "red": 3}, r"'blue'.*non-negative.*-1"),
        ({"blue": float("nan")}, r"'blue'.*finite"),
        ({"blue": 0, "red": 0}, r"positive total"),
        ({}, r"empty"),
    ],
)
def test_from_counts_rejects_bad_counts(counts, pattern):
    with pytest.raises(ValueError, match=pattern):
        Distribution.from_counts(counts)


@pytest.mark.parametrize("pmf", [{"": 1.0}, {3: 1.0}, {"blue": "half", "red": 0.5}, {"blue": True}])
def test_distribution_rejects_wrong_types(pmf):
    with pytest.raises(TypeError):
        Distribution(pmf)


def test_duplicate_symbols_are_rejected_by_name():
    with pytest.raises(ValueError, match=r"'blue'.*twice"):
        Distribution.uniform(["blue", "red", "blue"])
    with pytest.raises(ValueError, match=r"'red'.*twice"):
        fixed_length(["red", "red"])


def test_unknown_symbol_lookup_names_it():
    with pytest.raises(KeyError, match="purple"):
        INDIA["purple"]


# --- measures -------------------------------------------------------------------


def test_measures_reject_mismatched_symbols():
    other = Distribution({"blue": 0.5, "purple": 0.5})
    for f in (cross_entropy, kl_divergence):
        with pytest.raises(ValueError, match="different symbols.*purple"):
            f(INDIA, other)
    with pytest.raises(ValueError, match="same length"):
        cross_entropy([0.5, 0.5], [0.25, 0.25, 0.5])


@pytest.mark.parametrize("bad", [[0.5, 0.6], [1.5, -0.5], [float("nan"), 1.0], [], [[0.5, 0.5]]])
def test_measures_reject_bad_arrays(bad):
    with pytest.raises(ValueError):
        entropy(bad)
    with pytest.raises(ValueError):
        kl_divergence(bad, [0.5, 0.5])


@pytest.mark.parametrize("base", [1, 0.5, 0, -2, float("inf"), float("nan")])
def test_measures_reject_bad_bases(base):
    with pytest.raises(ValueError, match="'base'"):
        entropy([0.5, 0.5], base=base)


@pytest.mark.parametrize("base", ["two", None, True])
def test_measures_reject_base_of_wrong_type(base):
    with pytest.raises(TypeError, match="'base'"):
        entropy([0.5, 0.5], base=base)


@pytest.mark.parametrize("base", [2, "e", 10])
def test_missing_support_gives_inf_never_nan(base):
    p, q = [0.5, 0.5, 0.0], [1.0, 0.0, 0.0]
    assert cross_entropy(p, q, base=base) == math.inf
    assert kl_divergence(p, q, base=base) == math.inf
    # The other way round q ≪ p is fine: finite.
    assert math.isfinite(kl_divergence(q, p, base=base))
    # 0·log 0 = 0, not NaN.
    assert entropy([1.0, 0.0], base=base) == 0.0
    assert cross_entropy([1.0, 0.0], [1.0, 0.0], base=base) == 0.0


@pytest.mark.parametrize("base", [2, "e", 10])
def test_zero_results_are_positive_zero(base):
    for value in (
        entropy([1.0], base=base),
        entropy([0.0, 1.0, 0.0], base=base),
        cross_entropy([1.0, 0.0], [1.0, 0.0], base=base),
        kl_divergence([1.0, 0.0], [1.0, 0.0], base=base),
        kl_divergence(INDIA, INDIA, base=base),
    ):
        assert _positive_zero(value), repr(value)
    assert _positive_zero(fixed_length(["a"]).length_variance([1.0]))


def test_results_are_plain_floats():
    for value in (entropy(INDIA), cross_entropy(INDIA, INDIA), kl_divergence(INDIA, INDIA)):
        assert type(value) is float


# --- Code construction ----------------------------------------------------------------


def test_singular_code_rejected_naming_both_symbols():
    with pytest.raises(ValueError, match=r"singular.*'blue'.*'red'.*'0'"):
        from_codewords({"blue": "0", "red": "0"})


def test_empty_codeword_rejected_naming_the_symbol():
    with pytest.raises(ValueError, match=r"'green'.*empty"):
        from_codewords({"blue": "0", "green": ""})


def test_digit_outside_alphabet_rejected_naming_symbol_and_digit():
    with pytest.raises(ValueError, match=r"'yellow'.*'2'"):
        from_codewords({"blue": "0", "yellow": "12"})
    with pytest.raises(ValueError, match=r"'blue'.*'3'"):
        from_codewords({"blue": "3", "red": "0"}, D=3)
    assert from_codewords({"blue": "2", "red": "0"}, D=3).D == 3


@pytest.mark.parametrize(
    ("codewords", "exc"),
    [({}, ValueError), ({"blue": 0}, TypeError), ({"": "0"}, TypeError), ([("a", "0")], TypeError)],
)
def test_code_rejects_malformed_codebooks(codewords, exc):
    with pytest.raises(exc):
        Code(codewords)


@pytest.mark.parametrize("D", [1, 0, 37, 2.0, True])
def test_alphabet_size_checked(D):
    with pytest.raises((ValueError, TypeError), match="'D'"):
        fixed_length(["a", "b"], D=D)


def test_canonical_rejects_impossible_lengths():
    with pytest.raises(ValueError, match="Kraft"):
        canonical(["a", "b", "c"], [1, 1, 2])
    with pytest.raises(ValueError, match="'b'.*at least 1"):
        canonical(["a", "b"], [1, 0])
    with pytest.raises(ValueError, match="one length per symbol"):
        canonical(["a", "b"], [1])


def test_canonical_kraft_check_is_exact():
    # Σ 2^−l = 1 + 2^−45 exceeds 1 by less than any float tolerance; no
    # prefix code has these lengths, so they must be refused, not mangled.
    with pytest.raises(ValueError, match="Kraft"):
        canonical(["a", "b", "c"], [1, 1, 45])
    deep = canonical(["a", "b", "c"], [1, 2, 60])  # Kraft sum < 1: fine
    assert deep.is_prefix_free and len(deep["c"]) == 60


def test_shannon_rejects_zero_probability_naming_the_symbol():
    with pytest.raises(ValueError, match="'green'.*probability 0"):
        shannon(Distribution.from_counts({"blue": 1, "green": 0}))


@pytest.mark.parametrize("builder", [huffman, shannon])
def test_builders_want_a_distribution(builder):
    with pytest.raises(TypeError, match="Distribution"):
        builder([0.5, 0.5])


def test_encode_unknown_symbol_names_it_and_its_position():
    with pytest.raises(ValueError, match=r"symbol 1 \('purple'\)"):
        from_codewords(SCHEME3).encode(["red", "purple"])


def test_expected_length_needs_a_codeword_for_every_likely_symbol():
    code = from_codewords({"blue": "0", "red": "1"})
    with pytest.raises(ValueError, match="'green'"):
        code.expected_length(Distribution({"blue": 0.5, "green": 0.5}))
    # A symbol the source never draws needs no codeword.
    assert code.expected_length(Distribution({"blue": 1.0, "green": 0.0})) == 1.0
    with pytest.raises(ValueError, match="one probability per codeword"):
        code.expected_length([0.5, 0.25, 0.25])


# --- decoding ----------------------------------------------------------------------


def test_incomplete_code_path_reports_the_offset():
    # {a: 0, b: 10}: nothing starts with 11, so the second '1' of "0011" leads nowhere.
    code = from_codewords({"a": "0", "b": "10"})
    with pytest.raises(DecodeError, match="incomplete") as info:
        code.decode("0011")
    assert info.value.offset == 3
    assert "offset 3" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_incomplete_code_path_offset_counts_across_chunks():
    code = from_codewords({"a": "0", "b": "10"})
    dec = code.decoder()
    assert dec.feed("010") == ["a", "b"]
    assert dec.feed("1") == []
    with pytest.raises(DecodeError) as info:
        dec.feed("1")  # offset 4: no codeword starts with 11
    assert info.value.offset == 4


def test_leftover_digits_at_finish_report_where_the_codeword_began():
    code = from_codewords(SCHEME3)
    dec = code.decoder()
    assert dec.feed("010") == ["red", "blue"]
    assert dec.feed("11") == []
    assert dec.pending == 2
    with pytest.raises(DecodeError, match="2 digit") as info:
        dec.finish()
    assert info.value.offset == 3
    with pytest.raises(DecodeError) as whole:
        code.decode("01011")
    assert whole.value.offset == 3


def test_digit_outside_alphabet_while_decoding():
    code = from_codewords(SCHEME3)
    with pytest.raises(DecodeError, match="'2'") as info:
        code.decode("0102")
    assert info.value.offset == 3
    nonprefix = from_codewords({"a": "0", "b": "01", "c": "11"})
    with pytest.raises(DecodeError, match="'x'") as info:
        nonprefix.decode("01x")
    assert info.value.offset == 2


def test_non_prefix_code_with_no_parse_reports_how_far_a_parse_got():
    # {0, 01, 11}: "111" reads as 11 and then a lone 1, which no parse can use.
    code = from_codewords({"a": "0", "b": "01", "c": "11"})
    with pytest.raises(DecodeError, match="no parse") as info:
        code.decode("111")
    assert info.value.offset == 2
    assert code.decode("0111") == ["b", "c"]


def test_streaming_decoder_needs_a_prefix_code():
    with pytest.raises(ValueError, match="prefix-free"):
        from_codewords({"a": "0", "b": "01", "c": "11"}).decoder()


def test_shannon_lengths_never_overfill_the_code_tree():
    # Two probabilities a hair below 1/2 (within the rounding tolerance) and a
    # tiny third: rounding both down to one digit would leave no room for the
    # third word. The code must stay prefix-free with Kraft sum ≤ 1.
    p = Distribution({"a": 0.5 - 1e-14, "b": 0.5 - 1e-14, "c": 2e-14})
    code = shannon(p)
    assert code.is_prefix_free
    assert code.kraft_sum <= 1
    # Exact powers of D still get exactly k digits despite float rounding.
    assert set(shannon(Distribution.uniform(["a", "b", "c"]), D=3).lengths.values()) == {1}
    assert set(shannon(Distribution.uniform([f"s{i}" for i in range(9)]), D=3).lengths.values()) == {2}
