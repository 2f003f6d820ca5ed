"""Exception and warning types shared by every layer, and the cut of a long message.

User errors (a malformed file, a date outside the bundled tables, an impossible request) derive
from :class:`StationsimError`; the command line prints their message on one line and exits with
code 2. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


def shortened(text: str, most: int) -> str:
    """``text`` cut to ``most`` characters, saying how long it was: a message that echoes a
    long input (a 100,000-character key or URL) stays one readable line."""
    return text if len(text) <= most else text[:most] + f"... ({len(text):,} characters)"


class StationsimError(Exception):
    """Base class of every error caused by the user's input or request."""


class InputError(StationsimError, ValueError):
    """A piece of input text that cannot be read.

    The message names the source (file name or ``<string>``), the line and column (1-based) where
    they are known, what was expected and what was found, so that the user can fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> None:
        self.reason = message
        self.source = source
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.reason}"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        if self.found is not None:
            text += f", found {self.found}"
        return text


class TLEError(InputError):
    """A two-line element set that is malformed or fails its checks."""


class OMMError(InputError):
    """A CCSDS Orbit Mean-Elements Message that is malformed or incomplete."""


class OEMError(InputError):
    """A CCSDS Orbit Ephemeris Message that is malformed, incomplete or inconsistent (e.g.
    epochs that do not increase, or lie outside the segment's START_TIME..STOP_TIME)."""


class DataFileError(InputError):
    """A space-weather, Earth-orientation or other data file that cannot be read."""


class ScenarioFileError(InputError):
    """A scenario file (TOML or YAML) that is malformed or describes an impossible scenario; the
    message names the key path (``events[2].at``) as well as the line."""


class GravityFileError(InputError):
    """A gravity-field coefficient file (ICGEM ``.gfc``) that is malformed, incomplete or of a
    kind stationsim does not support (unnormalised or time-variable coefficients)."""


class ScenarioRunError(StationsimError):
    """A scenario that reads well but cannot be run as written (an event on a part no body
    holds, a start outside the station record); the message names the file and the event."""


class DataRangeError(StationsimError):
    """An epoch outside the span covered by a data table (space weather, EOP, leap seconds)."""


class PropagationError(StationsimError):
    """A propagation that cannot give a state (for SGP4: its error codes 1 to 6)."""


class ExportError(StationsimError):
    """An export that cannot be written (CZML, GeoJSON): arrays of the wrong shape or length,
    values that are not finite or out of range, times that do not increase, a repeated id; the
    message names the item and what is wrong with it."""


class PredictedDataWarning(UserWarning):
    """Predicted rather than observed values were used (space weather or Earth orientation)."""


class ExtrapolationWarning(UserWarning):
    """A model used far from where it is valid (e.g. SGP4 weeks away from its element set)."""


class StaleTableWarning(UserWarning):
    """A table was used past its stated validity (e.g. the leap-second file's expiry date)."""
