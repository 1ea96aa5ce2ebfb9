"""Scenario files: YAML in, validated model records out, and back.

``loader`` (finding files and bundled scenarios, the public ``load``),
``yamlcheck`` (bounded YAML reading, every problem with its path),
``builder`` (YAML to :mod:`sim.model.records`), ``writer`` (records back to YAML).
"""
