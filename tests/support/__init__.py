"""What tests import (never `conftest`): the module you need, e.g. `tests.support.people`.

- ``served``: the real ``coop`` command, a served app, and a person using it over HTTP.
- ``databases``: throw-away PostgreSQL databases and resetting one between tests.
- ``people``: one person's session in the test client (``User``), a test's people (``Garden``).
- ``rows``: ``in_app`` (run work in the app's own event loop) and ``Rows``, the one way to put rows
  straight into the database.
- ``icsparsers``: two independent iCalendar parsers to read our feeds back.
- ``crowd``: many people at once over real connections (``Person``, ``gather_people``).
- ``upgrade``: rewrites a test written against these helpers' old homes (run it, never import).
"""
