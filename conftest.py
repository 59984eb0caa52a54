"""The spec's harness is the pytest plugin in mpspec/plugin.py: the start-method axis
(``--start-method``), claim selection (``--claim``) and the living doc
(``--spec-report DIR``)."""

pytest_plugins = ["mpspec.plugin"]
