"""Canonical codes kept as arrays, their strings written on first use (issue 16).

A Huffman code of a million symbols is built, checked and given to the
engine from its length and value arrays; the codeword strings appear only
when someone reads them, and are then exactly what the eager builder wrote.
"""

from __future__ import annotations

import numpy as np
import pytest

from coding import Code, Distribution, canonical, huffman
from coding.code import _LazyLengths, _LazyWords


def _dist(rng: np.random.Generator, n: int) -> Distribution:
    return Distribution.from_counts({f"s{i}": int(c) for i, c in enumerate(rng.integers(1, 10**6, n))})


@pytest.mark.parametrize("D", [2, 3, 7])
def test_a_lazy_code_equals_the_code_written_out(D):
    rng = np.random.default_rng(D)
    for n in (1, 2, 5, 300, 3000):
        code = huffman(_dist(rng, n), D)
        assert isinstance(code.codewords, _LazyWords) and isinstance(code.lengths, _LazyLengths)
        eager = Code(dict(code.codewords), D)
        assert code == eager and hash(code) == hash(eager)
        assert dict(code.lengths) == dict(eager.lengths)
        assert code.length_array().tolist() == eager.length_array().tolist()
        assert code.value_array().tolist() == eager.value_array().tolist()
        assert code.is_prefix_free and eager.is_prefix_free and code.is_uniquely_decodable
        assert code.kraft_sum == eager.kraft_sum and code.prefix_clash() is None


def test_single_lookups_agree_with_the_whole_table_and_do_not_write_it():
    code = huffman(_dist(np.random.default_rng(1), 1000))
    words = code.codewords
    first = {s: words[s] for s in code.symbols[:50]}  # one string at a time
    assert words._dict is None  # type: ignore[attr-defined]
    assert "s3" in words and "nope" not in words
    table = dict(words.items())  # all at once
    assert all(table[s] == w for s, w in first.items())
    assert list(table) == list(code.symbols) and len(words) == 1000


def test_reading_every_symbol_one_by_one_switches_to_the_whole_table():
    code = huffman(_dist(np.random.default_rng(2), 2000))
    words = code.codewords
    assert dict(words) == dict(words.items())  # dict() looks each symbol up
    assert words._dict is not None  # type: ignore[attr-defined]
    assert not isinstance(code.codewords, _LazyWords)  # written out: a plain read-only view now
    assert dict(code.codewords) == words._dict  # type: ignore[attr-defined]


def test_encode_decode_and_the_engine_tables_work_on_the_arrays():
    from sim.engine.kernels import DecodeTables

    rng = np.random.default_rng(3)
    code = huffman(_dist(rng, 500))
    message = [code.symbols[i] for i in rng.integers(0, 500, 200)]
    assert code.decode(code.encode(message)) == message
    tables = DecodeTables(code)
    eager = DecodeTables(Code(dict(code.codewords)))
    for name in ("prim_sym", "prim_len", "tree", "multi"):
        assert np.array_equal(getattr(tables, name), getattr(eager, name)), name


def test_canonical_of_a_plain_list_still_checks_its_symbols():
    with pytest.raises(TypeError, match="non-empty strings"):  # as before: Code names the problem
        canonical(["a", ""], [1, 1])
    assert dict(canonical(["a", "b"], [1, 1]).codewords) == {"a": "0", "b": "1"}


def test_the_engine_tree_nodes_are_the_distinct_prefixes():
    """The per-depth pass gives the keys np.unique gives over every (codeword, depth) pair."""
    from sim.engine.kernels import _node_keys

    def by_unique(vals: np.ndarray, lens: np.ndarray, width: int) -> np.ndarray:
        extra = lens - width
        owner = np.repeat(np.arange(lens.size), extra)
        depth = width + np.arange(owner.size) - np.repeat(np.cumsum(extra) - extra, extra)
        return np.unique(((vals[owner] >> (lens[owner] - depth)) << 6) | depth)

    rng = np.random.default_rng(16)
    for _ in range(60):
        code = huffman(_dist(rng, int(rng.integers(2, 2000))))
        lens, vals = code.length_array(), code.value_array()
        for width in (1, 4, 11):
            deep = lens > width
            if deep.any():
                assert np.array_equal(
                    _node_keys(vals[deep], lens[deep], width), by_unique(vals[deep], lens[deep], width)
                )
