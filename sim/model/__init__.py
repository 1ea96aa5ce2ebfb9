"""The model: what a scenario describes and what theory says of it.

``records`` (the frozen, self-checking records: urns, codes, lines, links),
``kinds`` (one registry row per code kind, one class per arrival kind),
``limits`` (every input limit), ``theory`` and ``stats`` (the predictions and
the calibrated checks), ``results`` (the frozen records a run returns).
Nothing here runs a simulation or writes a file.
"""
