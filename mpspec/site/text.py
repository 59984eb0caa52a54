"""Text for the site's Markdown: escaping, links to claims, to CPython changes and to
the docs section a claim cites, the Chinese marked as Chinese, and verdict badges."""

from __future__ import annotations

import posixpath
import re

from mpspec import vocab

DOCS = "https://docs.python.org/3/library/multiprocessing.html"
SHM_DOCS = "https://docs.python.org/3/library/multiprocessing.shared_memory.html"
# Where the article came from (the seed's own "imported from" line).
ARTICLE = "http://qzq-go.notion.site/d6873f9a72374bd1a673b0864ba52be9"

# A cited docs section, by the start of its name, and where it is.
FUTURES_DOCS = "https://docs.python.org/3/library/concurrent.futures.html"
# (What's New pages are found by their version: _WHATS_NEW.)
DOCS_SECTIONS = (
    ("Executor Objects", FUTURES_DOCS + "#executor-objects"),
    ("Future Objects", FUTURES_DOCS + "#future-objects"),
    ("ProcessPoolExecutor", FUTURES_DOCS + "#processpoolexecutor"),
    ("Module Functions", FUTURES_DOCS + "#module-functions"),
    ("Exception classes", FUTURES_DOCS + "#exception-classes"),
    ("multiprocessing.shared_memory", SHM_DOCS),
    ("multiprocessing.connection.wait", DOCS + "#multiprocessing.connection.wait"),
    ("multiprocessing.connection", DOCS + "#module-multiprocessing.connection"),
    ("Contexts and start methods", DOCS + "#contexts-and-start-methods"),
    ("Process and exceptions", DOCS + "#process-and-exceptions"),
    ("Process.authkey", DOCS + "#multiprocessing.Process.authkey"),
    ("Process Pools", DOCS + "#module-multiprocessing.pool"),
    ("Using a pool of workers", DOCS + "#using-a-pool-of-workers"),
    ("Programming guidelines", DOCS + "#programming-guidelines"),
    ("Managers", DOCS + "#managers"),
    ("Proxy Objects", DOCS + "#proxy-objects"),
    ("Listeners and Clients", DOCS + "#module-multiprocessing.connection"),
    ("Authentication keys", DOCS + "#authentication-keys"),
    ("Connection", DOCS + "#multiprocessing.connection.Connection"),
    ("Synchronization primitives", DOCS + "#synchronization-primitives"),
    ("Shared ctypes Objects", DOCS + "#shared-ctypes-objects"),
    ("The multiprocessing.sharedctypes module", DOCS + "#module-multiprocessing.sharedctypes"),
    ("sharedctypes", DOCS + "#module-multiprocessing.sharedctypes"),
    ("Sharing state between processes", DOCS + "#sharing-state-between-processes"),
    ("Pipes and Queues", DOCS + "#pipes-and-queues"),
    ("Logging", DOCS + "#logging"),
    ("Exceptions", DOCS + "#exceptions"),
    ("Miscellaneous", DOCS + "#miscellaneous"),
    ("The multiprocessing.dummy module", DOCS + "#module-multiprocessing.dummy"),
    ("Reference", DOCS + "#reference"),
    ("get_all_start_methods", DOCS + "#multiprocessing.get_all_start_methods"),
    ("get_context", DOCS + "#multiprocessing.get_context"),
    ("get_start_method", DOCS + "#multiprocessing.get_start_method"),
    ("set_start_method", DOCS + "#multiprocessing.set_start_method"),
    ("set_executable", DOCS + "#multiprocessing.set_executable"),
    ("set_forkserver_preload", DOCS + "#multiprocessing.set_forkserver_preload"),
    ("threading", "https://docs.python.org/3/library/threading.html"),
)
_WHATS_NEW = re.compile(r"What's New in (?:Python )?(3\.\d+)")
_CHANGE = re.compile(r"\b(gh|GH|bpo)-(\d+)\b")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef][\u3000-\u303f\u4e00-\u9fff\uff00-\uffef\s·]*")
_MD_SPECIAL = re.compile(r"([\\*_\[\]|])")
_CODE_SPAN = re.compile(r"(`[^`\n]+`)")


def change_url(kind: str, number: str) -> str:
    if kind.lower() == "bpo":
        return f"https://bugs.python.org/issue{number}"
    return f"https://github.com/python/cpython/issues/{number}"


def changes_in(text: str):
    """The CPython changes (gh-NNN, bpo-NNN) a text names, in order, each once."""
    seen = []
    for kind, number in _CHANGE.findall(text or ""):
        key = (kind.lower(), number)
        if key not in seen:
            seen.append(key)
    return seen


def zh(text: str) -> str:
    """Mark runs of Chinese as Chinese (``lang``), for fonts, screen readers and search."""
    return _CJK.sub(lambda m: f'<span lang="zh">{m.group(0).rstrip()}</span>' + (" " if m.group(0)[-1:].isspace() else ""), text)


def rel(page: str, target: str) -> str:
    """A link from one source page (``claims/a.md``) to another (``upgrade/x.md``)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def claim_page(claim_id: str) -> str:
    return f"claims/{claim_id}.md"


class Writer:
    """Turns the registry's plain text into Markdown for one page: escaped, with claim
    IDs and CPython changes linked and the Chinese marked."""

    def __init__(self, page: str, claim_ids):
        self.page = page
        self.ids = set(claim_ids)
        self._id_re = re.compile(r"\b[a-z][a-z-]*\.[a-z0-9*-]+[a-z0-9*]")

    def claim_link(self, claim_id: str) -> str:
        return f"[`{claim_id}`]({rel(self.page, claim_page(claim_id))})"

    def __call__(self, text: str) -> str:
        """Plain text as Markdown: what it puts in backticks stays code; the rest is
        escaped, and its claim IDs, CPython changes and Chinese are marked up."""
        parts = _CODE_SPAN.split(text or "")
        return "".join(part if i % 2 else self._plain(part) for i, part in enumerate(parts))

    def _plain(self, text: str) -> str:
        out = _MD_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;").replace(">", "&gt;")
        out = _CHANGE.sub(lambda m: f"[{m.group(0)}]({change_url(m.group(1), m.group(2))})", out)

        def ids(m):
            word = m.group(0)
            return self.claim_link(word) if word in self.ids else word

        out = self._id_re.sub(ids, out)
        return zh(out)

    def cite(self, claim: dict) -> str:
        """The citation with each part linked to its docs section, or to the article."""
        if claim["source"] == "article":
            return f"The article, [{zh(claim['cite'])}]({ARTICLE})"
        parts = []
        for part in re.split(r";\s*", claim["cite"]):
            url = None
            m = _WHATS_NEW.search(part)
            if m:
                url = f"https://docs.python.org/3/whatsnew/{m.group(1)}.html"
            else:
                for prefix, target in DOCS_SECTIONS:
                    if part.startswith(prefix):
                        url = target
                        break
            if url:
                parts.append(f"[{self(part)}]({url})")
            else:
                parts.append(self(part))
        return "The docs, " + "; ".join(parts)


def badge(verdict: str, outcome: str = "observed") -> str:
    """A verdict as symbol, word and colour; a result no test observed, or that its
    run did not confirm, says so (a verdict only registered gets a quiet dot)."""
    m = vocab.VERDICTS.get(verdict)
    if m is None:
        return verdict
    flag = ""
    if verdict != "n/a" and outcome == "passed":
        o = vocab.OUTCOMES[outcome]
        flag = f' <span class="o {o.css}" title="{o.word}">{o.symbol}</span>'
    elif verdict != "n/a" and outcome != "observed":
        o = vocab.OUTCOMES[outcome]
        flag = f' <span class="o {o.css}" title="{o.word}">{o.symbol} {o.word}</span>'
    return f'<span class="v {m.css}">{m.symbol} {m.word}</span>{flag}'
