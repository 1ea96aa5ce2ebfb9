"""Known numbers: the source article's telegraph example and textbook examples.

The article is the "balls in a box" telegraph walk-through of entropy, cross
entropy and KL divergence (India sends colours to Australia). Its numbers
are reproduced here through the public API. Note the argument order: the
article's H_p(q) = −Σ q log p is our ``cross_entropy(q, p)`` (first argument
the distribution that draws), and its KL(Q‖P) is our ``kl_divergence(q, p)``.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from coding import (
    Code,
    DecodeError,
    Distribution,
    cross_entropy,
    entropy,
    fixed_length,
    from_codewords,
    huffman,
    kl_divergence,
)
from coding.huffman import huffman_lengths

COLOURS = ("blue", "red", "green", "yellow")
INDIA = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
AUSTRALIA = Distribution.from_counts({"blue": 13, "red": 25, "green": 50, "yellow": 12})
EVEN_BOX = Distribution.from_counts({"blue": 25, "red": 25, "green": 25, "yellow": 25})

SCHEME1 = {"blue": "0", "red": "1", "green": "10", "yellow": "11"}
SCHEME2 = {"blue": "0", "red": "10", "green": "110", "yellow": "111"}
SCHEME3 = {"blue": "10", "red": "0", "green": "110", "yellow": "111"}


# --- the article ------------------------------------------------------------


def test_boxes_hold_the_articles_proportions():
    assert INDIA.symbols == COLOURS
    assert [INDIA[c] for c in COLOURS] == [0.25, 0.5, 0.13, 0.12]
    assert [AUSTRALIA[c] for c in COLOURS] == [0.13, 0.25, 0.5, 0.12]


@pytest.mark.parametrize("box", [EVEN_BOX, INDIA, AUSTRALIA], ids=["even", "india", "australia"])
def test_fixed_length_code_costs_two_bits_whatever_the_box(box):
    code = fixed_length(COLOURS)
    assert set(code.lengths.values()) == {2}
    assert code.expected_length(box) == 2.0


def test_even_box_entropy_is_two_bits():
    # Four equally likely outcomes: log2 4 = 2 bits.
    assert entropy(EVEN_BOX) == 2.0


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [(SCHEME1, 1.25), (SCHEME2, 2.0), (SCHEME3, 1.75)],
    ids=["scheme1", "scheme2", "scheme3"],
)
def test_three_hand_made_schemes_on_the_india_box(scheme, expected):
    assert from_codewords(scheme).expected_length(INDIA) == pytest.approx(expected, abs=1e-12)


def test_scheme1_is_not_uniquely_decodable():
    code = from_codewords(SCHEME1)
    assert not code.is_prefix_free
    assert not code.is_uniquely_decodable
    assert code.kraft_sum == Fraction(3, 2)  # > 1: Kraft–McMillan already rules it out
    witness = code.ambiguity()
    assert witness is not None
    assert witness.first != witness.second
    assert code.encode(witness.first) == witness.string == code.encode(witness.second)


def test_scheme1_reads_010_two_ways():
    # The article: blue then green is sent as 010, which also reads blue·red·blue.
    code = from_codewords(SCHEME1)
    assert code.encode(["blue", "green"]) == "010"
    assert set(code.parses("010")) == {("blue", "green"), ("blue", "red", "blue")}
    with pytest.raises(DecodeError, match="ambiguous"):
        code.decode("010")


@pytest.mark.parametrize("scheme", [SCHEME2, SCHEME3], ids=["scheme2", "scheme3"])
def test_schemes_2_and_3_are_prefix_free(scheme):
    code = from_codewords(scheme)
    assert code.is_prefix_free
    assert code.is_uniquely_decodable
    assert code.ambiguity() is None
    assert code.kraft_sum == 1
    message = ["red", "blue", "green", "yellow", "red", "red", "blue"]
    assert code.decode(code.encode(message)) == message


def test_india_entropy():
    # −(0.5 log 0.5 + 0.25 log 0.25 + 0.13 log 0.13 + 0.12 log 0.12) ≈ 1.7497 bits
    assert round(entropy(INDIA), 4) == 1.7497
    assert entropy(INDIA) < 1.75  # scheme 3 is 0.0003 bits above the bound


def test_huffman_on_the_india_box_is_scheme3():
    code = huffman(INDIA)
    assert dict(code.lengths) == {"blue": 2, "red": 1, "green": 3, "yellow": 3}
    assert dict(code.codewords) == SCHEME3
    assert code.expected_length(INDIA) == 1.75


def test_australia_against_indias_code():
    # Article: cross entropy 2.348 bits when Australia's draws use India's ideal lengths.
    assert round(cross_entropy(AUSTRALIA, INDIA), 4) == 2.3488
    # ... the extra bits are KL(Q‖P), and KL is not symmetric.
    assert round(kl_divergence(AUSTRALIA, INDIA), 4) == 0.5991
    assert round(kl_divergence(INDIA, AUSTRALIA), 4) == 0.4832
    assert kl_divergence(AUSTRALIA, INDIA) == pytest.approx(
        cross_entropy(AUSTRALIA, INDIA) - entropy(AUSTRALIA), abs=1e-12
    )
    # Same multiset of probabilities, so the same entropy.
    assert entropy(AUSTRALIA) == pytest.approx(entropy(INDIA), abs=1e-12)


def test_australia_with_indias_huffman_code():
    # 0.13·2 + 0.25·1 + 0.5·3 + 0.12·3 = 2.37 bits: real codewords are whole
    # bits, so the cost sits a little above the cross entropy 2.3488.
    L = huffman(INDIA).expected_length(AUSTRALIA)
    assert L == pytest.approx(2.37, abs=1e-12)
    assert cross_entropy(AUSTRALIA, INDIA) <= L < cross_entropy(AUSTRALIA, INDIA) + 1


def test_identity_on_scheme2_over_india():
    # L = H(q) + D(q‖r) − log2 K with r = 2^−l / K; scheme 2 is complete (K = 1).
    code = from_codewords(SCHEME2)
    r = code.implied_distribution()
    assert r.as_dict() == {"blue": 0.5, "red": 0.25, "green": 0.125, "yellow": 0.125}
    assert code.expected_length(INDIA) == pytest.approx(entropy(INDIA) + kl_divergence(INDIA, r), abs=1e-12)


# --- textbook Huffman examples ----------------------------------------------

# Cover & Thomas, Elements of Information Theory, 2nd ed. (2006), Example 5.6.1:
# binary Huffman code for p = (.25, .25, .2, .15, .15) has lengths
# (2, 2, 2, 3, 3) and expected length 2.3 bits.
CT_561 = Distribution({"1": 0.25, "2": 0.25, "3": 0.2, "4": 0.15, "5": 0.15})


def test_cover_thomas_example_5_6_1_binary():
    code = huffman(CT_561)
    assert sorted(code.lengths.values()) == [2, 2, 2, 3, 3]
    assert [code.lengths[s] for s in ("4", "5")] == [3, 3]  # the two least likely
    assert code.expected_length(CT_561) == pytest.approx(2.3, abs=1e-12)
    assert code.is_prefix_free and code.kraft_sum == 1
    assert entropy(CT_561) <= code.expected_length(CT_561) < entropy(CT_561) + 1


def test_cover_thomas_example_5_6_2_ternary():
    # Cover & Thomas (2006), Example 5.6.2: the same source with a ternary
    # code. Five symbols, (5 − 1) is a multiple of D − 1 = 2, so no dummy:
    # merge .2 .15 .15 -> .5, then .25 .25 .5 -> 1. Lengths (1, 1, 2, 2, 2),
    # L = .25 + .25 + 2·(.2 + .15 + .15) = 1.5 ternary digits.
    code = huffman(CT_561, D=3)
    assert [code.lengths[s] for s in CT_561.symbols] == [1, 1, 2, 2, 2]
    assert code.expected_length(CT_561) == pytest.approx(1.5, abs=1e-12)
    assert code.D == 3 and set("".join(code.codewords.values())) <= set("012")
    assert code.is_prefix_free and code.kraft_sum == 1


def test_cover_thomas_example_5_6_3_ternary_with_dummy_symbol():
    # Cover & Thomas (2006), Example 5.6.3: p = (.25, .25, .2, .1, .1, .1),
    # D = 3. Six symbols: (6 − 1) is odd, so add one dummy of probability 0.
    # Merge 0 .1 .1 -> .2; then .1 .2 .2 -> .5; then .25 .25 .5 -> 1.
    # Lengths (1, 1, 2, 2, 3, 3), as in the book: ties among the .1s go to the
    # first-listed, so 4 keeps the short word and 5, 6 (merged first) go deep;
    # L = .5 + .4 + .2 + .6 = 1.7 ternary digits. (Issue 15 changed the
    # tie-break from "last-listed short" to "first-listed short", on purpose.)
    p = Distribution({"1": 0.25, "2": 0.25, "3": 0.2, "4": 0.1, "5": 0.1, "6": 0.1})
    assert huffman_lengths(p, D=3) == [1, 1, 2, 2, 3, 3]
    code = huffman(p, D=3)
    assert code.expected_length(p) == pytest.approx(1.7, abs=1e-12)
    # The dummy leaf is left unused: Kraft sum 1 − 1/27.
    assert code.kraft_sum == Fraction(26, 27)
    assert code.is_prefix_free
    H3 = entropy(p, base=3)
    assert H3 <= code.expected_length(p) < H3 + 1


def test_huffman_ties_give_the_first_listed_symbols_the_short_codewords():
    # A fair die: two faces get 2 bits, four get 3. A teacher expects the first
    # listed (one, two) to get 00 and 01, not five and six (issue 15).
    die = Distribution.from_counts({s: 1 for s in ("one", "two", "three", "four", "five", "six")})
    code = huffman(die)
    assert dict(code.codewords) == {
        "one": "00",
        "two": "01",
        "three": "100",
        "four": "101",
        "five": "110",
        "six": "111",
    }
    # A uniform source of 3: the first-listed gets the 1-bit word.
    assert dict(huffman(Distribution.from_counts({"x": 1, "y": 1, "z": 1})).codewords) == {
        "x": "0",
        "y": "10",
        "z": "11",
    }


def test_dyadic_source_meets_the_entropy_exactly():
    # A dyadic source p = (1/2, 1/4, 1/8, 1/8): H = 1.75 bits, and the code
    # 0, 10, 110, 111 attains it (every length is exactly −log2 p).
    p = Distribution({"a": 0.5, "b": 0.25, "c": 0.125, "d": 0.125})
    assert entropy(p) == 1.75
    assert huffman(p).expected_length(p) == 1.75


# --- unique decodability verdicts -------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        ("0", "01", "10"),  # 010 = 0·10 = 01·0
        # Cover & Thomas (2006), Table 5.1, "nonsingular, but not uniquely decodable".
        ("0", "010", "01", "10"),
        ("0", "1", "10", "11"),  # the article's scheme 1
    ],
)
def test_known_codes_that_are_not_uniquely_decodable(words):
    code = Code({f"x{i}": w for i, w in enumerate(words)})
    assert not code.is_uniquely_decodable
    assert not code.is_prefix_free
    witness = code.ambiguity()
    assert witness is not None and witness.first != witness.second
    assert code.encode(witness.first) == witness.string == code.encode(witness.second)
    assert len(code.parses(witness.string, limit=2)) == 2


def test_witness_for_0_01_10_is_the_three_digit_one():
    code = Code({"a": "0", "b": "01", "c": "10"})
    witness = code.ambiguity()
    assert witness.string == "010"
    assert {witness.first, witness.second} == {("a", "c"), ("b", "a")}


@pytest.mark.parametrize(
    "words",
    [
        ("0", "01", "11"),
        ("0", "01", "110"),
        # Cover & Thomas (2006), Table 5.1, "uniquely decodable, but not instantaneous".
        ("10", "00", "11", "110"),
    ],
)
def test_known_codes_uniquely_decodable_but_not_prefix_free(words):
    code = Code({f"x{i}": w for i, w in enumerate(words)})
    assert code.is_uniquely_decodable
    assert code.ambiguity() is None
    assert not code.is_prefix_free
    assert code.kraft_sum <= 1  # McMillan
    message = [f"x{i}" for i in (0, 1, 2, 1, 0, 0, 2, len(words) - 1)]
    assert code.decode(code.encode(message)) == message
    with pytest.raises(ValueError, match="prefix-free"):
        code.decoder()


def test_cover_thomas_table_5_1_instantaneous_code():
    # Cover & Thomas (2006), Table 5.1, last column: 0, 10, 110, 111.
    code = Code({"1": "0", "2": "10", "3": "110", "4": "111"})
    assert code.is_prefix_free and code.is_uniquely_decodable


# --- units --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "factor"),
    [("e", math.log(2)), (10, math.log10(2)), (4, 0.5), (8, 1 / 3), (2.0, 1.0)],
    ids=["nats", "bans", "base4", "base8", "base2.0"],
)
def test_other_bases_scale_bits_by_log_b_of_2(base, factor):
    # log_b x = log_2 x · log_b 2
    assert entropy(INDIA, base=base) == pytest.approx(entropy(INDIA) * factor, rel=1e-12)
    assert cross_entropy(AUSTRALIA, INDIA, base=base) == pytest.approx(
        cross_entropy(AUSTRALIA, INDIA) * factor, rel=1e-12
    )
    assert kl_divergence(AUSTRALIA, INDIA, base=base) == pytest.approx(
        kl_divergence(AUSTRALIA, INDIA) * factor, rel=1e-12
    )


def test_one_bit_is_ln2_nats():
    assert entropy([0.5, 0.5]) == 1.0
    assert entropy([0.5, 0.5], base="e") == pytest.approx(math.log(2), rel=1e-15)
    assert entropy([0.1] * 10, base=10) == pytest.approx(1.0, rel=1e-15)


def test_shannon_lengths_from_counts_use_an_exact_integer_test():
    from coding import Distribution, shannon, shannon_from_counts

    # India: lengths 2, 1, 3, 4 (K = 15/16), as with probabilities.
    india = {"blue": 25, "red": 50, "green": 13, "yellow": 12}
    assert dict(shannon_from_counts(india).lengths) == dict(shannon(Distribution.from_counts(india)).lengths)
    # A count a hair below a quarter of the box needs 3 digits: −log2 p = 2 + 4e-14. A float
    # tolerance of 1e-12 rounds that to 2; the integer test c·2^l ≥ N does not.
    hair = {"a": 2**45 - 1, "b": 3 * 2**45 + 1}
    assert shannon_from_counts(hair).lengths["a"] == 3
    assert shannon(Distribution.from_counts(hair)).lengths["a"] == 2
    # Exactly a power of two: exactly that many digits.
    assert shannon_from_counts({"a": 1, "b": 2**60 - 1}).lengths["a"] == 60
    for counts in ({"a": 1, "b": 2, "c": 1}, {"x": 7, "y": 5, "z": 1, "w": 100}):
        total = sum(counts.values())
        for s, n in shannon_from_counts(counts).lengths.items():
            assert counts[s] * 2**n >= total > counts[s] * 2 ** (n - 1) or n == 1


def test_shannon_from_counts_refuses_empty_colours_and_fractions():
    import pytest

    from coding import shannon_from_counts

    with pytest.raises(ValueError, match="infinite codeword"):
        shannon_from_counts({"a": 3, "b": 0})
    with pytest.raises(TypeError, match="whole number"):
        shannon_from_counts({"a": 1.5, "b": 1})
