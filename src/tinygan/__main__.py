"""``python -m tinygan``: the same as the ``tinygan`` command."""

import sys

from tinygan.cli import main

if __name__ == "__main__":
    sys.exit(main())
