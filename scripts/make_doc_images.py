"""Make the pictures in ``docs/images/``: the plots of the ``farewell-2022`` report, the re-entry
map of Delfi-PQ, the station schematic, and screenshots of the dashboard with the farewell
run's report.

Needs the test extra (selenium) and Debian's chromium and chromium-driver
(``scripts/install_browser.sh``). Usage::

    python scripts/make_doc_images.py [--report DIR]

``--report`` reuses a folder that ``stationsim run farewell-2022 --out DIR`` wrote (``make run``
writes ``out/farewell-2022``); without it the scenario runs first (about a minute).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from stationsim import api
from stationsim.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DELFI = ROOT / "tests" / "reference" / "tle" / "delfi-pq_51074_last100d.tle"


def _report(folder: Path | None, work: Path) -> Path:
    if folder is not None:
        return folder
    out = work / "farewell-2022"
    api.run_scenario("farewell-2022", out_dir=out)
    return out


def _serve(store: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def _dashboard(work: Path) -> None:
    server, thread, url = _serve(work / "runs.sqlite")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1280,1000",
                 f"--user-data-dir={work / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url + "/")
        wait = WebDriverWait(driver, 300, poll_frequency=0.5)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#scenario-select option"))
        Select(driver.find_element(By.ID, "scenario-select")).select_by_value("farewell-2022")
        driver.find_element(By.ID, "start-button").click()
        wait.until(lambda d: d.find_element(By.ID, "progress").is_displayed())
        time.sleep(8.0)
        driver.save_screenshot(str(IMAGES / "dashboard-progress.png"))
        wait.until(lambda d: d.find_element(By.ID, "report").is_displayed())
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#map path.land"))
        time.sleep(1.0)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 40, 4200))
        driver.save_screenshot(str(IMAGES / "dashboard-report.png"))
    finally:
        driver.quit()
        server.should_exit = True
        thread.join(30.0)  # the store must outlive the server's shutdown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", type=Path, default=None)
    args = ap.parse_args()
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        report = _report(args.report, work)
        for name in ("station.png", "altitude.png", "ledgers.png", "map.png"):
            shutil.copyfile(report / name, IMAGES / f"farewell-2022-{name}")
        api.reentry(DELFI, at="2023-12-27T21:15:00Z", members=1000, seed=1, mass_kg=2.0,
                    map_path=IMAGES / "delfi-pq-reentry-map.png")
        _dashboard(work)
    for picture in sorted(IMAGES.iterdir()):
        print(f"{picture.relative_to(ROOT)}: {picture.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
