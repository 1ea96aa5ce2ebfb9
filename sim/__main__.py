"""``python -m sim`` runs the ``telegraph`` command."""

import sys

from sim.cli import main

sys.exit(main())
