"""The one base class of errors a user can act on (a bad file, a missing index, a bad setting).

Every layer may raise it; only the edges (CLI, chat, bot) turn it into a message. Anything else
that escapes is a bug and keeps its traceback.
"""


class RnkbotError(Exception):
    """An error whose message tells the user what went wrong and how to fix it."""
