"""Information theory and source codes, usable on their own.

>>> from coding import Distribution, huffman, entropy
>>> india = Distribution.from_counts({"blue": 25, "red": 50, "green": 13, "yellow": 12})
>>> round(entropy(india), 4), huffman(india).expected_length(india)
(1.7497, 1.75)
"""

from coding.adaptive import (
    AdaptiveHuffman,
    AdaptiveModel,
    LearningCurve,
    dirichlet_regret_bound,
    empirical_code_length,
    kt_regret_bound,
    laplace_regret_bound,
    learning_curve,
    mixture_code_length,
    sequential_probabilities,
)
from coding.arithmetic import ArithmeticCode, ArithmeticDecoder, ArithmeticEncoder, arithmetic, quantise
from coding.block import BlockCode, block
from coding.builders import canonical, fixed_length, from_codewords, shannon, shannon_from_counts
from coding.code import Ambiguity, Code, DecodeError, StreamDecoder
from coding.distribution import Distribution
from coding.fano import fano
from coding.huffman import huffman, huffman_lengths
from coding.lz78 import LZ78Code, lz78
from coding.measures import cross_entropy, entropy, information, kl_divergence
from coding.sfe import sfe
from coding.tunstall import TunstallCode, tunstall

__all__ = [
    "AdaptiveHuffman",
    "AdaptiveModel",
    "Ambiguity",
    "ArithmeticCode",
    "ArithmeticDecoder",
    "ArithmeticEncoder",
    "BlockCode",
    "Code",
    "DecodeError",
    "Distribution",
    "LZ78Code",
    "LearningCurve",
    "StreamDecoder",
    "TunstallCode",
    "arithmetic",
    "block",
    "canonical",
    "cross_entropy",
    "empirical_code_length",
    "entropy",
    "fano",
    "fixed_length",
    "from_codewords",
    "huffman",
    "huffman_lengths",
    "information",
    "kl_divergence",
    "dirichlet_regret_bound",
    "kt_regret_bound",
    "laplace_regret_bound",
    "learning_curve",
    "lz78",
    "mixture_code_length",
    "quantise",
    "sequential_probabilities",
    "sfe",
    "shannon",
    "shannon_from_counts",
    "tunstall",
]
