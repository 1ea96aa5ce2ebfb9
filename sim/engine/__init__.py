"""The engine: SimPy stations and the compiled kernels they drive.

``simulation`` (``run``: one environment, a transmitter, line and receiver
process per link), ``stations`` (the SimPy processes), ``line`` (a line's
queue and statistics, shared or not), ``urn`` and ``blocks`` (draws and
block-buffered random streams), ``bitcodec``, ``kernels``, ``stream_kernels``,
``noise`` and ``noise_kernels`` (the compiled inner loops); ``parallel`` runs
the independent parts of a scenario in worker processes (``preload``: what
their fork server loads once).
"""
