"""The living documentation as a static site: ``python -m mpspec.site DIR``.

Built offline by MkDocs with the Material theme from the merged results of the matrix
(``docs/results.json``, or report.json files given with ``--reports``): a page per claim,
per chapter, per Python upgrade and per library or implementation, an API index, search,
and the matrix.  The site's dependencies come with the ``site`` extra.
"""

# Where the site is published (the workflow deploys it with GitHub Pages); the README's
# claim links point here.  MPSPEC_SITE_URL overrides it for a fork.
import os

SITE_URL = os.environ.get("MPSPEC_SITE_URL", "https://mpspec.github.io/mpspec/")


def claim_url(claim_id: str, base: str = "") -> str:
    return f"{(base or SITE_URL).rstrip('/')}/claims/{claim_id}/"
