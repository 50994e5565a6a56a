"""Errors that reach a user as one clear line, never a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad input, bad pack, bad setting).

    The CLI prints ``postguard: <message>`` and exits with ``exit_code``; the
    HTTP API turns it into a JSON error.  The message must fit on one line and
    say what was expected.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
