"""python -m mpspec.site DIR: build the site into DIR (see mpspec/site/__init__.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mpspec.results import DEFAULT_PATH, Results, Usage, load_reports, merge


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mpspec.site",
        description="Build the living documentation as a static site (MkDocs + Material), offline.",
    )
    parser.add_argument("out", metavar="DIR", help="where the site goes (new, empty, or a site built here before)")
    parser.add_argument("--results", metavar="FILE", default=None, help=f"merged results (default {DEFAULT_PATH.relative_to(DEFAULT_PATH.parent.parent)})")
    parser.add_argument("--reports", nargs="+", metavar="REPORT.json", help="build from these report.json files instead")
    parser.add_argument("--site-url", default="", help="the address the site is published at (canonical links, sitemap)")
    parser.add_argument("--repo-url", default="", help="the repository, to link each test to its source")
    args = parser.parse_args(argv)
    if args.results and args.reports:
        parser.error("give --results or --reports, not both")
    try:
        from mpspec.site.build import BuildError, build
    except ImportError as exc:
        print(f"mpspec.site: {exc.name} is not installed: pip install -e \".[site]\"", file=sys.stderr)
        return 2
    try:
        results = Results(merge(load_reports(args.reports))) if args.reports else Results.load(args.results or DEFAULT_PATH)
        print(f"Building the site: {len(results.envs)} environments, {len(results.claims)} claims ...", flush=True)
        pages, seconds, warnings = build(results, Path(args.out), args.site_url, args.repo_url)
    except (Usage, BuildError) as exc:
        print(f"mpspec.site: {exc}", file=sys.stderr)
        return 2
    for message in warnings:
        print(f"warning: {message}", file=sys.stderr)
    print(f"{pages} pages -> {args.out} in {seconds:.1f} s{f', {len(warnings)} warnings' if warnings else ''}")
    print(f"Browse it: python -m http.server -d {args.out} 8000, then http://127.0.0.1:8000/")
    return 1 if warnings else 0


if __name__ == "__main__":
    sys.exit(main())
