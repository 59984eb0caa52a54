"""mpspec: the harness behind the executable specification of multiprocessing.

Importing this package (or ``mpspec.deadlines``) is cheap and never imports pytest,
so child processes may use it.  The pytest plugin lives in ``mpspec.plugin``.
"""

__version__ = "0.1.0"
