"""``python -m bot.bench``: runs :func:`bot.bench.main`."""

import sys

from bot.bench import main

if __name__ == "__main__":
    sys.exit(main())
