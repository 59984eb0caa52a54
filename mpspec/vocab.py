"""One vocabulary for verdicts and outcomes, imported by every renderer (SPEC.md, the
README blocks, MATRIX.md and the site), so a verdict looks the same everywhere.

Each verdict has a word, an emoji (for Markdown read on GitHub), a text symbol that
any font has (the site shows it beside a colour, so it is readable without an emoji
font and not by colour alone), and a CSS class.
"""

from __future__ import annotations

from typing import NamedTuple


class Mark(NamedTuple):
    word: str  # "does not hold"
    emoji: str  # "❌"
    symbol: str  # "✗": in DejaVu, Liberation and every other common text font
    css: str  # "v-fails"


VERDICTS = {
    "holds": Mark("holds", "✅", "✓", "v-holds"),
    "partly": Mark("partly", "🟡", "◐", "v-partly"),
    "does-not-hold": Mark("does not hold", "❌", "✗", "v-fails"),
    "n/a": Mark("n/a", "—", "–", "v-na"),
}

# What a run made of a verdict.  "observed": a test saw the behaviour and it agreed with
# the registry; "passed": the tests passed but none observed the verdict (it is the
# registry's word only); "not-shown": a demonstration did not show its hazard within
# its bounded effort; "failed": a test failed (or observed another verdict).
OUTCOMES = {
    "observed": Mark("observed", "", "", "o-observed"),
    "passed": Mark("registered, not observed", "", "·", "o-passed"),
    "not-shown": Mark("not shown this run", "", "?", "o-notshown"),
    "failed": Mark("test failed", "⚠️", "!", "o-failed"),
    "skipped": Mark("skipped", "", "?", "o-skipped"),
    "not-run": Mark("not run", "", "?", "o-notrun"),
}


def emoji(verdict: str) -> str:
    """``✅ holds`` (Markdown on GitHub)."""
    m = VERDICTS.get(verdict)
    return f"{m.emoji} {m.word}" if m else verdict


def text(verdict: str) -> str:
    """``✓ holds`` (pages readable without an emoji font)."""
    m = VERDICTS.get(verdict)
    return f"{m.symbol} {m.word}" if m else verdict


def word(verdict: str) -> str:
    m = VERDICTS.get(verdict)
    return m.word if m else verdict
