"""The project's self-tests."""

import os

# They start many spec runs side by side: the /dev/shm check of each could not tell
# them apart (mpspec/guards/shm.py).  The session running these tests keeps its own check,
# which covers every run they start; the check's self-test turns it back on.
os.environ.setdefault("MPSPEC_SHM_GUARD", "0")
