"""Publishing a run: results folders, ``explain``, figures and the report.

``output`` (the one safe writer: marker, no symlinks, atomic swap),
``explain`` (the worked arithmetic), ``plots`` with ``plots_style``,
``plots_run`` and ``plots_codes`` (figures), ``report`` (report.html),
``numbers`` and ``text`` (how numbers and names are shown).
"""
