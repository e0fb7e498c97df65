"""The one base class of errors a user can fix.

Every layer raises its user-facing errors as subclasses of :class:`RnkbotError` (a bad file,
an index that cannot be opened, a model that cannot be loaded, a setting that is missing),
with a message that says what is wrong and how to fix it. The command line prints such an
error as one line; anything else is a bug and shows its traceback. This module imports
nothing, so every package may import it.
"""

from __future__ import annotations


class RnkbotError(Exception):
    """A problem the user can fix; the message says how."""


class ConfigError(RnkbotError, ValueError):
    """A setting is missing or does not fit the others; the message names the variable."""
