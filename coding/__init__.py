"""Information theory and source codes, usable on their own.

>>> from coding import Distribution, huffman, entropy
>>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
>>> round(entropy(india), 4), huffman(india).expected_length(india)
(1.7497, 1.75)
"""

from coding.builders import canonical, fixed_length, from_codewords, shannon, shannon_from_counts
from coding.code import Ambiguity, Code, DecodeError, StreamDecoder
from coding.distribution import Distribution
from coding.huffman import huffman, huffman_lengths
from coding.measures import cross_entropy, entropy, information, kl_divergence

__all__ = [
    "Ambiguity",
    "Code",
    "DecodeError",
    "Distribution",
    "StreamDecoder",
    "canonical",
    "cross_entropy",
    "entropy",
    "fixed_length",
    "from_codewords",
    "huffman",
    "huffman_lengths",
    "information",
    "kl_divergence",
    "shannon",
    "shannon_from_counts",
]
