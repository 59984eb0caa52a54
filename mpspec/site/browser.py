"""A real browser for the site's tests and benchmark: Debian's chromium, driven by
selenium through Debian's chromedriver (nothing downloads a browser or a driver), and
a local web server for a built site (search and the matrix load data, which browsers
refuse from file:// pages)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import tempfile
import threading

CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver",)
# What the machine's closed network needs: no background requests, no first-run pages.
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
)
PHONE = 390


def _first(paths, name):
    for p in paths:
        if os.path.exists(p):
            return p
    return shutil.which(name)


def missing() -> str:
    """Why no browser can be driven here, or "" when one can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not _first(CHROMIUM, "chromium"):
        return "no chromium here (apt-get install -y chromium chromium-driver)"
    if not _first(CHROMEDRIVER, "chromedriver"):
        return "no chromedriver here (apt-get install -y chromium-driver)"
    return ""


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 900):
    """Headless chromium at ``width`` CSS pixels (below 500 as a phone: Chromium's
    windows are never narrower than 500 px, so a phone is emulated), with a profile
    of its own that is removed, with the browser, at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="mpspec-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = _first(CHROMIUM, "chromium")
    for flag in FLAGS + (f"--user-data-dir={profile}", f"--window-size={max(width, 500)},{height}"):
        options.add_argument(flag)
    if width < 500:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}}
        )
    try:
        d = webdriver.Chrome(service=Service(_first(CHROMEDRIVER, "chromedriver")), options=options)
        try:
            d.set_page_load_timeout(30)
            d.set_script_timeout(30)
            yield d
        finally:
            d.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on 127.0.0.1 (a free port) for the duration; yields the URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# Scripts the tests and the benchmark run in the page.
COVERED_HEADERS = """
const wrap = document.querySelector('.mx-wrap');
const box = wrap.getBoundingClientRect();
// The frozen claim column covers the columns scrolled under it, by design: look at
// the part of each header right of it.
const frozen = wrap.querySelector('thead th.mx-claim').getBoundingClientRect().right;
const covered = [];
let seen = 0;
for (const th of wrap.querySelectorAll('thead th:not(.mx-claim)')) {
  const r = th.getBoundingClientRect();
  // Inside the box's client area: its scroll bars are not part of the view.
  const left = Math.max(r.left, frozen, box.left), right = Math.min(r.right, box.left + wrap.clientWidth);
  const y = r.top + r.height / 2;
  if (right - left < 4 || y <= box.top || y >= box.top + wrap.clientHeight) continue;
  seen++;
  const hit = document.elementFromPoint((left + right) / 2, y);
  if (!hit || !(hit === th || th.contains(hit))) covered.push(th.textContent + ' under ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
}
const corner = wrap.querySelector('thead th.mx-claim').getBoundingClientRect();
const hit = document.elementFromPoint(corner.left + 4, corner.top + 4);
if (!hit || !hit.closest('thead th.mx-claim')) covered.push('the claim header under ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing'));
return [seen, covered];
"""

OVERFLOW = """
const doc = document.documentElement;
const wide = [];
for (const el of document.querySelectorAll('.md-content *')) {
  if (el.closest('.mx-wrap')) continue;
  if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && el.clientWidth > 0)
    wide.push(el.tagName + '.' + el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);
}
return [doc.scrollWidth, window.innerWidth, wide.slice(0, 5)];
"""
