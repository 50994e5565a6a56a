"""Chrome native messaging: the extension asks this user's agent how to pair, no typing.

Chrome starts ``postguard native-host`` (through the wrapper ``postguard install``
registers) only for an extension the host manifest allows; the host answers one request
and exits.
"""
