"""Read the shell examples of a docs page, so a walkthrough test runs what the page says.

Only what the examples use is understood: ``curl -s URL -H 'Name: value' -d 'body'``; any
other curl option is an error, so a page cannot drift into something the test skips.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

_ENDS_COMMAND = frozenset("|;&()\n")


@dataclass(frozen=True)
class CurlCall:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    data: str | None = None

    @property
    def path(self) -> str:
        return "/" + self.url.split("://", 1)[1].split("/", 1)[1]

    def substitute(self, **values: str) -> CurlCall:
        """Replace shell variables (``$TOKEN``) the way the shell would."""

        def fill(text: str) -> str:
            for name, value in values.items():
                text = text.replace(f"${name}", value)
            return text

        return CurlCall(
            fill(self.url),
            {k: fill(v) for k, v in self.headers.items()},
            None if self.data is None else fill(self.data),
        )


def shell_blocks(markdown: str) -> list[str]:
    """The fenced blocks marked ``sh`` or unmarked, continuation lines joined."""
    blocks: list[str] = []
    language: str | None = None  # None: outside a fence
    lines: list[str] = []
    for line in markdown.splitlines(keepends=True):
        fence = line.strip()
        if not fence.startswith("```"):
            lines.append(line)
        elif language is None:
            language, lines = fence[3:], []
        else:
            if language in ("", "sh"):
                blocks.append("".join(lines).replace("\\\n", " "))
            language = None
    return blocks


def curl_calls(markdown: str) -> list[CurlCall]:
    calls: list[CurlCall] = []
    for block in shell_blocks(markdown):
        for match in re.finditer(r"\bcurl\s", block):
            calls.append(_parse(_words(block[match.start() :])))
    return calls


def commands(markdown: str, program: str) -> list[list[str]]:
    """Every ``program ...`` command line of the page's shell blocks, comments removed."""
    found: list[list[str]] = []
    for block in shell_blocks(markdown):
        for line in block.splitlines():
            if line.startswith(program + " "):
                found.append(shlex.split(line, comments=True)[1:])
    return found


def _words(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars="".join(_ENDS_COMMAND))
    lexer.whitespace = " \t\r"  # a newline ends the command, as in the shell
    lexer.whitespace_split = True
    words: list[str] = []
    for word in lexer:
        if word and set(word) <= _ENDS_COMMAND:
            break
        words.append(word)
    return words


def _parse(words: list[str]) -> CurlCall:
    url: str | None = None
    headers: dict[str, str] = {}
    data: str | None = None
    rest = iter(words[1:])
    for word in rest:
        if word == "-s":
            continue
        if word == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            data = next(rest)
        elif word.startswith("http"):
            url = word
        else:
            raise ValueError(f"the docs use a curl option the walkthrough does not know: {word}")
    if url is None:
        raise ValueError(f"a curl example without a URL: {words}")
    return CurlCall(url, headers, data)
