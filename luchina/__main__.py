"""``python -m luchina ...`` runs the command line (see luchina.cli)."""

import sys

from luchina.cli import main

if __name__ == "__main__":
    sys.exit(main())
