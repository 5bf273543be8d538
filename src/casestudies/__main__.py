"""``python -m casestudies`` runs the command line."""

import sys

from casestudies.cli import main

sys.exit(main())
