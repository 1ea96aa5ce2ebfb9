"""Shared Hypothesis strategies for the coding and simulation tests.

Import them as ``from strategies import distributions, prefix_codes, ...``
(``tests/conftest.py`` puts this folder on ``sys.path``).

Distributions are built from small integer counts (an urn), so they may hold
zero-probability symbols and differ from one another by amounts far above
float rounding. Codes are built by growing a random code tree, so every
prefix code over a small alphabet can come out, complete or not.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from coding import AdaptiveModel, Code, Distribution
from coding._validate import DIGITS

__all__ = [
    "SYMBOL_POOL",
    "alphabets",
    "chunkings",
    "code_strings",
    "counts",
    "distribution_pairs",
    "distributions",
    "fitting_model",
    "kraft_lengths",
    "prefix_codes",
    "priors",
    "small_codes",
    "suffix_codes",
    "symbol_sequences",
    "uniquely_decodable_codes",
    "urn_streams",
]

#: Symbol names drawn by :func:`alphabets`; the article's colours come first.
SYMBOL_POOL = ("blue", "red", "green", "yellow", "white", "black", "pink", "grey")


def alphabets(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[tuple[str, ...]]:
    """Tuples of distinct symbol names, in any order."""
    max_size = min(max_size, len(SYMBOL_POOL))
    return st.lists(st.sampled_from(SYMBOL_POOL), min_size=min_size, max_size=max_size, unique=True).map(
        tuple
    )


@st.composite
def counts(
    draw: st.DrawFn,
    symbols: Sequence[str],
    allow_zero: bool = True,
    max_count: int = 20,
) -> dict[str, int]:
    """Ball counts per symbol (an urn); at least one count is positive."""
    low = 0 if allow_zero else 1
    values = draw(
        st.lists(st.integers(low, max_count), min_size=len(symbols), max_size=len(symbols)).filter(
            lambda v: sum(v) > 0
        )
    )
    return dict(zip(symbols, values))


@st.composite
def distributions(
    draw: st.DrawFn,
    symbols: Sequence[str] | None = None,
    min_size: int = 1,
    max_size: int = 6,
    allow_zero: bool = True,
    max_count: int = 20,
) -> Distribution:
    """A :class:`Distribution` over ``symbols`` (or over a drawn alphabet).

    With ``allow_zero`` some symbols may have probability 0 (never all).
    """
    if symbols is None:
        symbols = draw(alphabets(min_size, max_size))
    return Distribution.from_counts(draw(counts(symbols, allow_zero, max_count)))


@st.composite
def distribution_pairs(
    draw: st.DrawFn,
    min_size: int = 1,
    max_size: int = 6,
    allow_zero: bool = True,
    shuffle: bool = True,
) -> tuple[Distribution, Distribution]:
    """Two distributions on the same symbols.

    With ``shuffle`` the second lists its symbols in another order, so that
    code under test must align them by name, not by position.
    """
    symbols = draw(alphabets(min_size, max_size))
    p = draw(distributions(symbols, allow_zero=allow_zero))
    other = draw(st.permutations(symbols)) if shuffle else symbols
    q = draw(distributions(tuple(other), allow_zero=allow_zero))
    return p, q


@st.composite
def _code_tree_leaves(draw: st.DrawFn, n: int, D: int, max_depth: int) -> list[str]:
    """The leaves of a random D-ary code tree with at least ``n`` leaves."""
    digits = DIGITS[:D]
    leaves = [""]
    while len(leaves) < n:
        splittable = [i for i, w in enumerate(leaves) if len(w) < max_depth]
        i = draw(st.sampled_from(splittable))
        word = leaves.pop(i)
        leaves[i:i] = [word + d for d in digits]
    return leaves


@st.composite
def prefix_codes(
    draw: st.DrawFn,
    symbols: Sequence[str] | None = None,
    D: int = 2,
    min_size: int = 1,
    max_size: int = 6,
    complete: bool = False,
    max_depth: int = 8,
) -> Code:
    """A prefix-free :class:`Code` over ``symbols`` (or a drawn alphabet).

    The codewords are leaves of a random code tree, handed to the symbols in
    a random order. Unless ``complete``, the tree may have a few spare leaves,
    so the Kraft sum may be below 1; a complete binary code has Kraft sum 1.
    A one-symbol code gets a one-digit codeword.
    """
    if symbols is None:
        symbols = draw(alphabets(min_size, max_size))
    symbols = tuple(symbols)
    n = len(symbols)
    if n == 1:
        return Code({symbols[0]: draw(st.sampled_from(DIGITS[:D]))}, D)
    target = n if complete else n + draw(st.integers(0, 2))
    while D**max_depth < target:
        max_depth += 1
    leaves = draw(_code_tree_leaves(target, D, max_depth))
    chosen = draw(st.permutations(leaves))[:n]
    return Code(dict(zip(symbols, chosen)), D)


def kraft_lengths(n: int, D: int = 2, max_length: int | None = None) -> st.SearchStrategy[list[int]]:
    """All length vectors of size ``n`` with Σ D^−l ≤ 1 can come out (up to ``max_length``)."""
    max_length = max_length if max_length is not None else max(n, 1)
    return st.lists(st.integers(1, max_length), min_size=n, max_size=n).filter(
        lambda ls: sum(D ** (max_length - x) for x in ls) <= D**max_length
    )


def suffix_codes(**kwargs) -> st.SearchStrategy[Code]:
    """Reversed prefix codes: uniquely decodable, usually not prefix-free."""
    return prefix_codes(**kwargs).map(lambda c: Code({s: w[::-1] for s, w in c.codewords.items()}, c.D))


def uniquely_decodable_codes(**kwargs) -> st.SearchStrategy[Code]:
    """Prefix codes, suffix codes, and small hand-picked codes that are UD."""
    return st.one_of(
        prefix_codes(**kwargs),
        suffix_codes(**kwargs),
        small_codes().filter(lambda c: c.is_uniquely_decodable),
    )


@st.composite
def small_codes(draw: st.DrawFn, max_symbols: int = 4, max_length: int = 3, D: int = 2) -> Code:
    """Any non-singular code with 1..``max_symbols`` codewords of length ≤ ``max_length``.

    Many are not uniquely decodable; good for checking Sardinas–Patterson.
    """
    digits = DIGITS[:D]
    word = st.text(alphabet=digits, min_size=1, max_size=max_length)
    words = draw(st.lists(word, min_size=1, max_size=max_symbols, unique=True))
    return Code({SYMBOL_POOL[i]: w for i, w in enumerate(words)}, D)


def symbol_sequences(
    symbols: Sequence[str], min_size: int = 0, max_size: int = 30
) -> st.SearchStrategy[list[str]]:
    """Lists of symbols drawn from ``symbols`` (repeats allowed)."""
    return st.lists(st.sampled_from(tuple(symbols)), min_size=min_size, max_size=max_size)


@st.composite
def code_strings(draw: st.DrawFn, code: Code, max_symbols: int = 30) -> tuple[list[str], str]:
    """A symbol sequence and its encoding under ``code``."""
    seq = draw(symbol_sequences(code.symbols, max_size=max_symbols))
    return seq, code.encode(seq)


@st.composite
def chunkings(draw: st.DrawFn, string: str, max_chunks: int = 10) -> list[str]:
    """``string`` cut into consecutive pieces (empty pieces allowed); they join back to it."""
    cuts = draw(st.lists(st.integers(0, len(string)), max_size=max_chunks).map(sorted))
    bounds = [0, *cuts, len(string)]
    return [string[a:b] for a, b in zip(bounds, bounds[1:])]


@st.composite
def urn_streams(draw: st.DrawFn, max_size: int = 6, max_len: int = 200) -> tuple[tuple[str, ...], list[str]]:
    """An alphabet and a stream of balls drawn from a random urn over it (zero-count colours never drawn)."""
    p = draw(distributions(max_size=max_size))
    support = p.support()
    return p.symbols, draw(st.lists(st.sampled_from(support), max_size=max_len))


@st.composite
def priors(draw: st.DrawFn, symbols: Sequence[str]) -> str | dict[str, float]:
    """An adaptive model's prior: "laplace", "kt" or pseudo-counts (decimals and halves)."""
    value = st.sampled_from([0.5, 1, 2, 0.25, 1.5, 0.1, 3])
    return draw(
        st.one_of(st.sampled_from(["laplace", "kt"]), st.fixed_dictionaries({s: value for s in symbols}))
    )


def fitting_model(symbols: Sequence[str], prior: str | dict[str, float], precision: int) -> AdaptiveModel:
    """An adaptive model at ``precision``, or at 24 bits when the prior's scaled counts do not fit."""
    try:
        return AdaptiveModel(symbols, prior, precision=precision)
    except ValueError:
        return AdaptiveModel(symbols, prior, precision=24)
