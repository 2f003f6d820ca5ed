"""Write ``orekit_leo_kepler.oem``: a short two-body LEO ephemeris in OEM KVN, written by Orekit.

Run with a Python that has ``orekit-jpype`` (Orekit and Hipparchus jars inside; a Java 17
runtime on the path)::

    python make_orekit_oem.py [OUTPUT]

Orekit needs only its UTC-TAI table here (a Keplerian propagator in GCRF touches no Earth
orientation, gravity field or ephemeris): the script writes one, in the USNO ``tai-utc.dat``
layout that Orekit reads, into a temporary folder, from the IERS ``Leap_Second.dat`` bundled with
stationsim. The orbit is stated in the file's first metadata comments, which the tests read back.
"""

from __future__ import annotations

import math
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import orekit_jpype

HERE = Path(__file__).resolve().parent
LEAP_SECONDS = HERE.parents[2] / "src" / "stationsim" / "data" / "bundled" / "Leap_Second.dat"

#: The stated orbit: osculating Keplerian elements in GCRF at EPOCH (UTC), two-body with MU.
EPOCH = (2022, 3, 6, 0, 0, 0.0)
MU_M3_S2 = 3.986004415e14
A_M = 6_790_000.0
ECC = 0.0007
INC_DEG = 51.64
ARGP_DEG = 75.0
RAAN_DEG = 120.0
MEAN_ANOMALY_DEG = 10.0
STEP_S = 60.0
SPAN_S = 5400.0

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def write_tai_utc(folder: Path) -> None:
    """The leap-second history as USNO ``tai-utc.dat`` lines (from 1972: whole seconds)."""
    rows = []
    for line in LEAP_SECONDS.read_text(encoding="ascii").splitlines():
        fields = line.split()
        if not fields or line.lstrip().startswith("#"):
            continue
        mjd, day, month, year, offset = float(fields[0]), *map(int, fields[1:5])
        rows.append(f" {year:4d} {MONTHS[month - 1]} {day:2d} =JD {mjd + 2400000.5:9.1f}  "
                    f"TAI-UTC={offset:11.7f} S + (MJD - {int(mjd):5d}.) X 0.0       S")
    (folder / "tai-utc.dat").write_text("\n".join(rows) + "\n", encoding="ascii")


def main(output: Path) -> None:
    with tempfile.TemporaryDirectory() as data:
        write_tai_utc(Path(data))
        orekit_jpype.initVM()
        from orekit_jpype.pyhelpers import setup_orekit_data
        setup_orekit_data(data, from_pip_library=False)
        text = generate()
    output.write_text(text, encoding="ascii")
    print(f"wrote {output.name} with {orekit_version()}")


def orekit_version() -> str:
    """The Orekit jar inside orekit-jpype, e.g. ``orekit-13.1.9`` (orekit-jpype 13.1.9.0)."""
    jars = Path(orekit_jpype.__file__).parent / "jars"
    jar = next(p.stem for p in sorted(jars.glob("orekit-*.jar")))
    return f"{jar} (orekit-jpype {metadata.version('orekit-jpype')})"


def generate() -> str:
    # Java classes can be imported only once the VM runs (main starts it).
    import jpype
    from org.orekit.files.ccsds.definitions import BodyFacade, FrameFacade, TimeSystem
    from org.orekit.files.ccsds.ndm import WriterBuilder
    from org.orekit.files.ccsds.ndm.odm import OdmHeader
    from org.orekit.files.ccsds.ndm.odm.oem import (
        InterpolationMethod,
        OemMetadata,
        StreamingOemWriter,
    )
    from org.orekit.files.ccsds.utils.generation import KvnGenerator
    from org.orekit.frames import FramesFactory
    from org.orekit.orbits import KeplerianOrbit, PositionAngleType
    from org.orekit.propagation.analytical import KeplerianPropagator
    from org.orekit.time import AbsoluteDate, TimeScalesFactory

    utc = TimeScalesFactory.getUTC()
    gcrf = FramesFactory.getGCRF()
    t0 = AbsoluteDate(*EPOCH, utc)
    orbit = KeplerianOrbit(A_M, ECC, math.radians(INC_DEG), math.radians(ARGP_DEG),
                           math.radians(RAAN_DEG), math.radians(MEAN_ANOMALY_DEG),
                           PositionAngleType.MEAN, gcrf, t0, MU_M3_S2)
    header = OdmHeader()
    header.setFormatVersion(3.0)
    header.setCreationDate(AbsoluteDate(2022, 3, 6, 12, 0, 0.0, utc))
    header.setOriginator("OREKIT")
    header.setMessageId("LEO-KEPLER-1")
    metadata = OemMetadata(7)
    metadata.addComment("Two-body Keplerian orbit propagated by Orekit (KeplerianPropagator)")
    metadata.addComment(f"epoch 2022-03-06T00:00:00 UTC, GCRF, mean elements: a {A_M} m, "
                        f"e {ECC}, i {INC_DEG} deg, RAAN {RAAN_DEG} deg, argp {ARGP_DEG} deg, "
                        f"M {MEAN_ANOMALY_DEG} deg, mu {MU_M3_S2} m**3/s**2")
    metadata.setObjectName("LEO TEST SATELLITE")
    metadata.setObjectID("2022-999A")
    metadata.setCenter(BodyFacade("EARTH", None))
    metadata.setReferenceFrame(FrameFacade.map(gcrf))
    metadata.setTimeSystem(TimeSystem.UTC)
    metadata.setStartTime(t0)
    metadata.setStopTime(t0.shiftedBy(SPAN_S))
    metadata.setInterpolationMethod(InterpolationMethod.LAGRANGE)
    metadata.setInterpolationDegree(7)
    buffer = jpype.JClass("java.lang.StringBuilder")()
    generator = KvnGenerator(buffer, 0, "orekit_leo_kepler.oem", 86400.0, 0)
    writer = WriterBuilder().buildOemWriter()
    streaming = StreamingOemWriter(generator, writer, header, metadata)
    propagator = KeplerianPropagator(orbit)
    propagator.setStepHandler(STEP_S, streaming.newSegment())
    propagator.propagate(t0, t0.shiftedBy(SPAN_S))
    streaming.close()
    return str(buffer.toString())


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "orekit_leo_kepler.oem")
