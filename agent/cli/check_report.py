"""Human-readable ``postguard check`` output: the post with flagged spans marked, like a linter."""

from __future__ import annotations

from agent.engine.result import CheckResult, Finding


def utf16_to_codepoints(text: str) -> dict[int, int]:
    """UTF-16 offset → code-point offset, for every character boundary."""
    table: dict[int, int] = {}
    unit = 0
    for index, char in enumerate(text):
        table[unit] = index
        unit += 2 if ord(char) > 0xFFFF else 1
    table[unit] = len(text)
    return table


def render_text(text: str, result: CheckResult, *, name: str) -> str:
    table = utf16_to_codepoints(text)
    spans = [(table[f.start], table[f.end]) for f in result.findings]
    out: list[str] = []
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the newline that ends a file is not a line of the post
    width = len(str(len(lines)))
    offset = 0
    positions: list[tuple[int, int]] = []
    for number, line in enumerate(lines, start=1):
        line_end = offset + len(line)
        out.append(f"{number:>{width}} | {line}")
        marks = [" "] * len(line)
        labels: list[str] = []
        for index, (start, end) in enumerate(spans, start=1):
            if (start <= line_end and end > offset) or (start == end == offset):
                for col in range(max(start, offset), min(end, line_end)):
                    marks[col - offset] = "^"
                if offset <= start <= line_end:
                    labels.append(f"[{index}]")
                    positions.append((number, start - offset + 1))
        if labels:
            out.append(f"{'':>{width}} | {''.join(marks).rstrip()} {' '.join(labels)}")
        offset = line_end + 1
    out.append("")
    for index, finding in enumerate(result.findings, start=1):
        line_no, col = positions[index - 1] if index - 1 < len(positions) else (1, 1)
        out.extend(_describe(index, finding, f"{name}:{line_no}:{col}"))
    counts: dict[str, int] = {}
    for finding in result.findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    summary = ", ".join(f"{n} {level}" for level, n in sorted(counts.items())) or "no findings"
    packs = ", ".join(f"{p.id} {p.version}" for p in result.packs)
    out.append(f"verdict: {result.verdict.value} ({summary}); packs: {packs}")
    return "\n".join(out)


def _describe(index: int, finding: Finding, where: str) -> list[str]:
    policy = finding.policy
    link = f" <{policy.url}>" if policy.url else ""
    lines = [
        f"[{index}] {where}: {finding.severity.value} {finding.category.value}"
        f" {finding.rule_id} ({finding.pack.id})",
        f"    {finding.message}",
        f"    policy: {policy.section}, {policy.title}{link}",
        f"    consequence: {finding.consequence}",
    ]
    lines.extend(f"    suggestion: {s}" for s in finding.suggestions)
    if not finding.overridable:
        contact = f"; contact {finding.contact}" if finding.contact else ""
        lines.append(f"    cannot be overridden{contact}")
    lines.append(f"    why: {finding.explanation.matcher}: {finding.explanation.detail}")
    return lines
