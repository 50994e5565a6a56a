"""Input limits shared by every caller of the engine (the engine itself accepts any length)."""

MAX_TEXT_CHARS = 100_000
