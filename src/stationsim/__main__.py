"""``python -m stationsim`` runs the command line."""

from stationsim.cli.main import app

app()
