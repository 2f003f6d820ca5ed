"""The stationsim command line (typer + rich), a thin shell over stationsim.api."""
