"""Sweeps: one command for many runs of a scenario, in parallel here or on a Dask cluster.

:mod:`sim.sweep.spec` reads a sweep file and expands it into validated
points; :mod:`sim.sweep.task` runs one point × replication and flattens it
into ``points.csv`` rows; :mod:`sim.sweep.runner` sends the tasks to Dask,
journals each one as it finishes and resumes an interrupted sweep;
:mod:`sim.sweep.figures` and :mod:`sim.sweep.report` draw the results.
"""

from __future__ import annotations

from sim.sweep.spec import Point, Sweep, SweepError, bundled_sweeps, load_sweep, task_seed

__all__ = ["Point", "Sweep", "SweepError", "bundled_sweeps", "load_sweep", "task_seed"]
