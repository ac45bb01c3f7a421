"""The console in a real headless Chromium (selenium + Debian's chromium-driver).

Signs in, finds a decision, reviews it, sees the user's learned policy change, edits a custom
category, previews a text, signs out. With ``PERSONAGUARD_CONSOLE_SCREENSHOTS=DIR`` each page is
saved as a PNG there (docs/console.md's screenshots come from this test).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver must be installed in CI (.ci/run installs them)")
        pytest.skip("chromium / chromedriver not installed")
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, name: str) -> None:
    folder = os.environ.get("PERSONAGUARD_CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"console-{name}.png"))


def _wait(driver: Any, by: str, what: str) -> Any:
    return WebDriverWait(driver, 30).until(ec.presence_of_element_located((by, what)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_operator_session(browser: Any, live: Any, tenant_factory: Any) -> None:
    t = tenant_factory(store_text=True)
    with live.client(t.key) as api:
        api.put("/v1/users/ann", json={"self_description": "I have hepatitis."})
        for text in ["What is the capital of France?", "I want to buy a bottle of tequila"]:
            assert api.post("/v1/moderations", json={"input": text, "user": "ann"}).status_code == 200
    b = browser
    b.get(f"{live.url}/console/decisions")
    _wait(b, By.ID, "api-key").send_keys(t.key)
    _shot(b, "sign-in")
    b.find_element(By.ID, "sign-in").click()

    # Decisions: filter to warn, open the tequila decision and read its explanation.
    _wait(b, By.ID, "decisions")
    Select(b.find_element(By.ID, "f-outcome")).select_by_value("warn")
    b.find_element(By.ID, "f-user").send_keys("ann")
    old = b.find_element(By.ID, "decisions")
    b.find_element(By.ID, "f-apply").click()
    WebDriverWait(b, 30).until(ec.staleness_of(old))
    link = _wait(b, By.CSS_SELECTOR, "a.decision-link")
    _shot(b, "decisions")
    assert len(b.find_elements(By.CSS_SELECTOR, "a.decision-link")) == 1  # the filter left the warn only
    link.click()
    assert _wait(b, By.ID, "decision-outcome").text == "warn"
    assert "tequila" in b.find_element(By.ID, "decision-text").text
    assert b.find_elements(By.CSS_SELECTOR, "#explanation tbody tr")
    _shot(b, "decision")

    # Review queue: the warn is there; say it should be allowed; the learner's bounded step shows.
    b.get(f"{live.url}/console/review")
    _wait(b, By.ID, "review")
    _shot(b, "review")
    rows = [r for r in b.find_elements(By.CSS_SELECTOR, "#review tbody tr") if "tequila" in r.text]
    assert rows, b.page_source
    rows[0].find_element(By.CSS_SELECTOR, "button.review-allow").click()
    assert _wait(b, By.ID, "result-learned").text == "yes"
    kl = b.find_element(By.ID, "result-kl").text
    _shot(b, "reviewed")

    # The user's page shows the learned offset; then add a custom category.
    b.find_element(By.ID, "result-user").click()
    _wait(b, By.ID, "learned")
    offsets = b.find_elements(By.CSS_SELECTOR, "#learned td.offset")
    assert offsets, f"no learned offset after feedback (kl {kl})"
    assert "hepatitis" in b.find_element(By.ID, "vulnerabilities").text.lower()
    b.find_element(By.ID, "custom-name").send_keys("no-spoilers")
    b.find_element(By.ID, "custom-description").send_keys("No spoilers for Severance.")
    b.find_element(By.ID, "custom-examples").send_keys("Mark finds out Helly is an Eagan")
    b.find_element(By.ID, "save-user").click()
    assert _wait(b, By.ID, "saved")
    assert "no-spoilers" in b.find_element(By.ID, "custom-categories").text
    _shot(b, "user")

    # Policy: a live preview as this user.
    b.get(f"{live.url}/console/policy")
    _wait(b, By.ID, "preview-text").send_keys("Mark finds out Helly is an Eagan, wow")
    b.find_element(By.ID, "preview-user").send_keys("ann")
    b.find_element(By.ID, "preview-run").click()
    outcome = _wait(b, By.ID, "preview-outcome")
    assert outcome.text == "block"
    b.execute_script("arguments[0].scrollIntoView({block: 'center'})", outcome)
    _shot(b, "policy")
    b.get(f"{live.url}/console/monitor")
    _wait(b, By.ID, "gauges")
    b.find_element(By.ID, "estimate-now").click()
    accuracy = float(_wait(b, By.ID, "estimated-accuracy").text.split()[0])
    assert 0.0 <= accuracy <= 1.0
    _shot(b, "monitor")

    # Sign out: the pages are gone.
    b.find_element(By.ID, "sign-out").click()
    _wait(b, By.ID, "api-key")
    b.get(f"{live.url}/console/users/ann")
    assert _wait(b, By.ID, "sign-in")
    assert "/console/login" in b.current_url
