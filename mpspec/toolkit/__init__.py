"""The spec tests' toolkit: one helper for each thing the chapters kept writing
again.  Tests reach every helper as ``support.<name>`` (``mpspec/support.py``
re-exports them); the modules are

- ``processes``: children and threads: join, stop, start-and-reap, receive with a
  deadline, wait until a pid is gone, a child that holds a lock, a child that
  reports back over a pipe, a thread that returns a result;
- ``scripts``: programs of ``fixtures/scripts`` in fresh interpreters, each in a
  session of its own: run one to the end, read its JSON report, or talk to it
  while it runs.

Every blocking call has a deadline; a child or script that misses it is killed and
the test fails with ``ChildHung``.
"""
