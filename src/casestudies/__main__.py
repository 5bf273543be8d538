"""``python -m casestudies`` runs the command line."""

import sys

from casestudies.cli._main import main

sys.exit(main())
