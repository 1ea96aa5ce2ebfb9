"""``python -m sim`` runs the ``telegraph`` command."""

import sys

if __name__ == "__main__":
    try:  # Ctrl-C while the command loads: no traceback
        from sim.cli import main
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(main())
