"""The web service and dashboard of stationsim: a JSON API over :mod:`stationsim.api`, a store
of past runs (SQLite), and a single-page dashboard (``stationsim serve``; ``docs/web.md``).

The application is made by :func:`stationsim.web.app.create_app`. This package module imports
nothing, so that a run's worker process (:mod:`stationsim.web.worker`) starts without the web
libraries.
"""
