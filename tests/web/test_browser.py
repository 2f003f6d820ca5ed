"""The dashboard in a real browser: uvicorn on a free loopback port, headless Chromium (Debian's
``chromium`` and ``chromium-driver``; ``scripts/install_browser.sh`` installs them), a scenario
file uploaded and started, its progress followed, and the report shown without a reload: the
altitude plot, the capability and crew tables and the map; then, with the page's server-sent
events taken away (so that status polls alone follow it), a scenario that warns, whose
warnings are listed. The page must log no error (a blocked request would)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from stationsim.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HOW = ("needs Debian's chromium and chromium-driver: run 'sh scripts/install_browser.sh' as "
       "root (or 'apt-get install chromium chromium-driver')")

webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
if not (CHROMIUM.exists() or shutil.which("chromium")) or not CHROMEDRIVER.exists():
    pytest.skip(HOW, allow_module_level=True)

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The service on a free port of 127.0.0.1, in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(tmp_path / "runs.sqlite"), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20.0
    while not served.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(15.0)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium with a fresh profile, driven through Debian's chromedriver."""
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium may look up nothing on the network
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1280,2400", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)),
                              options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.mark.filterwarnings("ignore::stationsim.errors.StaleTableWarning",
                            "ignore::stationsim.errors.PredictedDataWarning")
def test_the_dashboard_runs_a_scenario_and_shows_its_report(
        server: str, browser: Any, tmp_path: Path, short_scenario: str,
        warning_scenario: str) -> None:
    scenario = tmp_path / "two-days.toml"
    scenario.write_text(short_scenario, encoding="utf-8")
    browser.get(server + "/")
    wait = WebDriverWait(browser, 45, poll_frequency=0.2)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#scenario-select option"))
    builtin = [o.text for o in browser.find_elements(By.CSS_SELECTOR,
                                                      "#scenario-select option")]
    assert "farewell-2022" in builtin

    browser.find_element(By.ID, "scenario-file").send_keys(str(scenario))
    wait.until(lambda d: "two-days" in d.find_element(By.ID, "scenario-text")
               .get_attribute("value"))
    assert browser.find_element(By.ID, "source-upload").is_selected()
    browser.execute_script("window.notReloaded = true;")  # a reload would forget it
    browser.find_element(By.ID, "start-button").click()

    wait.until(lambda d: d.find_element(By.ID, "progress").is_displayed())
    wait.until(lambda d: d.find_element(By.ID, "report").is_displayed())
    assert browser.find_element(By.ID, "run-status").text == "done"
    assert browser.execute_script("return window.notReloaded === true;")
    assert not browser.find_element(By.ID, "run-warnings").is_displayed()
    wait.until(lambda d: d.execute_script(
        "const i = document.getElementById('altitude-img');"
        "return i.complete && i.naturalWidth > 0;"))
    capabilities = browser.find_elements(By.CSS_SELECTOR, "#capabilities-table tbody tr")
    assert [row.find_elements(By.TAG_NAME, "td")[0].text for row in capabilities] == ["ISS"]
    crew = browser.find_elements(By.CSS_SELECTOR, "#crew-table tbody tr")
    assert len(crew) == 7 and "Mark Vande Hei" in browser.find_element(By.ID, "crew-table").text
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")]
    assert {"report.html", "report.md", "results.json", "altitude.png"} <= set(links)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#map path.land"))
    wait.until(lambda d: "two-days" in d.find_element(By.ID, "runs-table").text)
    first = browser.find_element(By.ID, "run-id").text

    # Without server-sent events the page follows the run by polling its status.
    browser.execute_script("window.EventSource = undefined;")
    text = browser.find_element(By.ID, "scenario-text")
    text.clear()
    text.send_keys(warning_scenario)
    browser.find_element(By.ID, "start-button").click()
    wait.until(lambda d: d.find_element(By.ID, "run-id").text not in ("", first))
    wait.until(lambda d: d.find_element(By.ID, "run-status").text == "done"
               and d.find_element(By.ID, "report").is_displayed())
    assert browser.execute_script("return window.notReloaded === true;")
    assert "A day on predicted space weather" in browser.find_element(By.ID,
                                                                      "report-title").text
    assert browser.find_element(By.ID, "run-warnings").is_displayed()
    items = browser.find_elements(By.CSS_SELECTOR, "#warnings-list li")
    said = " | ".join(item.text for item in items)
    assert "predicted space weather" in said and "leap-second table" in said, said
    kinds = [item.find_element(By.CSS_SELECTOR, ".warning-kind").text for item in items]
    assert set(kinds) <= {"data", "warning"} and "data" in kinds
    # Each message is text: the only element in an item is its kind's label.
    assert all(len(item.find_elements(By.CSS_SELECTOR, "*")) == 1 for item in items)

    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot))
    drawn = browser.find_element(By.ID, "map")
    browser.execute_script("arguments[0].scrollIntoView();", drawn)
    drawn.screenshot(str(tmp_path / "map.png"))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors
