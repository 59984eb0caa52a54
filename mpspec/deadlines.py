"""Named timeout tiers, shared by the tests and the child targets.

After CPython's test.support: one generous deadline for anything that *should*
happen (a child starting, reporting, exiting), one short wait for things that are
*expected not to* happen (a poll that must time out).  Timing assertions are lower
bounds only: a wait of ``WAIT`` seconds must have lasted at least ``WAIT * SLACK``.
"""

import os

# Everything that should happen happens within this many seconds, even with every
# core busy and a spawn child importing its modules from a cold cache.
DEADLINE = float(os.environ.get("MPSPEC_DEADLINE", "30"))

# A deliberate wait for something that must not happen (no EOF yet, no item yet).
WAIT = 0.2

# Lower-bound factor for timing assertions: a timeout of t waited at least t * SLACK.
SLACK = 0.5
