#!/usr/bin/env python3
"""Drives `spi app` in a real Chromium, through Selenium and chromedriver (Debian's chromium and chromium-driver,
PyPI's selenium), against the Northwind demo that `spi demo` builds.

Run by the Swift test AppBrowserTests (Tests/SPICommandTests), which starts `spi app --sync` on the demo's
organization replica and passes where everything is. Each step checks what the page shows and, through `spi`,
what the replica holds. Exits 0 when every step passed; prints the failing step otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


class Spi:
    def __init__(self, executable):
        self.executable = executable

    def run(self, db, *args):
        done = subprocess.run([self.executable, "--db", db, *args], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"spi {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    def json(self, db, *args):
        return json.loads(self.run(db, *args, "--json"))


STARTED = time.monotonic()
_last = [STARTED, None]
TIMINGS = []


def step(name):
    now = time.monotonic()
    if _last[1] is not None:
        TIMINGS.append((_last[1], now - _last[0]))
    _last[0], _last[1] = now, name
    print(f"step: {name}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the URL `spi app` printed, with its token")
    parser.add_argument("--spi", required=True, help="the spi executable")
    parser.add_argument("--org", required=True, help="the organization's replica (served by the app)")
    parser.add_argument("--fabrikam", required=True, help="Fabrikam's replica")
    parser.add_argument("--sync", required=True, help="where the app's process serves sync sessions (host:port)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    parser.add_argument("--screenshots", help="a directory to save a screenshot of each page into")
    args = parser.parse_args()
    spi = Spi(args.spi)
    base = args.url.split("/?")[0]

    step("a request without the token is refused")
    try:
        urllib.request.urlopen(base + "/spis", timeout=10)
        raise AssertionError("the app answered a request without its token")
    except urllib.error.HTTPError as error:
        assert error.code == 401, error.code

    options = Options()
    options.binary_location = args.chromium
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,800", f"--user-data-dir={tempfile.mkdtemp(prefix='spi-app-chromium-')}"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
    # The page swaps regions in place: an element found a moment ago may be gone; look again.
    wait = WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))

    def css(selector):
        return driver.find_element(By.CSS_SELECTOR, selector)

    def shot(name):
        if not args.screenshots:
            return
        os.makedirs(args.screenshots, exist_ok=True)
        path = os.path.join(args.screenshots, f"{name}.png")
        driver.save_screenshot(path)
        print(f"screenshot: {path}", flush=True)

    def click(selector):
        # The page may swap the element out between finding and clicking it (a live refresh): find it again.
        def attempt(d):
            try:
                d.find_element(By.CSS_SELECTOR, selector).click()
                return True
            except StaleElementReferenceException:
                return False
        wait.until(attempt)

    def attribute(selector, name):
        return wait.until(lambda d: [d.find_element(By.CSS_SELECTOR, selector).get_attribute(name) or ""])[0]

    def text(selector):
        return wait.until(lambda d: [d.find_element(By.CSS_SELECTOR, selector).text])[0]

    def raci(*filters):
        where = []
        for item in filters:
            where += ["--where", item]
        return spi.json(args.org, "raci", "list", "--where", "interface_id=SPI-INC-FAB", *where)

    try:
        step("the printed link logs in, and the token leaves the URL")
        driver.get(args.url)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == "Home")
        assert "token=" not in driver.current_url, driver.current_url
        shot("home")

        step("edit a RACI cell, and find the row with spi record get")
        driver.get(base + "/spis/SPI-INC-FAB")
        informed = 'button[aria-label="INC-DIAG, NWR: Informed"]'
        assert attribute(informed, "aria-pressed") == "false"
        assert not raci("activity_id=INC-DIAG", "party_id=NWR")
        click(informed)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, informed).get_attribute("aria-pressed") == "true")
        rows = raci("activity_id=INC-DIAG", "party_id=NWR")
        assert len(rows) == 1, rows
        record = spi.json(args.org, "record", "get", "raci_assignment", rows[0]["id"])
        assert record["role"] == "I", record
        assert "I" in text("#cell-INC-DIAG-NWR .letters")

        step("a second Accountable is refused, shown next to the matrix, and nothing is written")
        accountables = raci("activity_id=INC-LOG", "role=A")
        assert len(accountables) == 1, accountables
        click('button[aria-label="INC-LOG, FAB: Accountable"]')
        wait.until(lambda d: "Accountable" in d.find_element(By.ID, "raci-error").text)
        assert "refused" in attribute("#cell-INC-LOG-FAB", "class")
        # A live refresh of the matrix (another edit landing) keeps the refused cell marked.
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "refreshRegion(document.getElementById('raci')).then(() => done(true));")
        assert "refused" in attribute("#cell-INC-LOG-FAB", "class"), "a live refresh dropped the refusal mark"
        assert attribute('button[aria-label="INC-LOG, FAB: Accountable"]', "aria-pressed") == "false"
        assert [row["id"] for row in raci("activity_id=INC-LOG", "role=A")] == [accountables[0]["id"]]
        shot("spi-refused-accountable")

        step("the page updates live while Fabrikam syncs a change in")
        driver.execute_script("window.spiMarker = 42")
        fabrikam_rows = spi.json(args.fabrikam, "raci", "list", "--where", "interface_id=SPI-INC-FAB",
                                 "--where", "activity_id=INC-DIAG", "--where", "party_id=FAB")
        assert len(fabrikam_rows) == 1, fabrikam_rows
        spi.run(args.fabrikam, "raci", "set", fabrikam_rows[0]["id"], "--title", "Fabrikam resolver group")
        spi.run(args.fabrikam, "sync", args.sync)
        wait.until(lambda d: "Fabrikam resolver group" in d.find_element(By.ID, "cell-INC-DIAG-FAB").text)
        wait.until(lambda d: any("from FAB" in t.text for t in d.find_elements(By.CSS_SELECTOR, "#toasts .toast")))
        assert driver.execute_script("return window.spiMarker") == 42, "the page was reloaded"
        shot("spi-live-update")

        step("the page updates live when the sqlite3 shell edits the replica")
        if os.path.exists("/usr/bin/sqlite3"):
            escalate = raci("activity_id=INC-ESC", "party_id=FAB")
            assert len(escalate) == 1, escalate
            subprocess.run(["/usr/bin/sqlite3", args.org,
                            f"UPDATE raci_assignment SET role_title = 'Edited in the shell' WHERE id = '{escalate[0]['id']}'"],
                           check=True, timeout=30)
            wait.until(lambda d: "Edited in the shell" in d.find_element(By.ID, "cell-INC-ESC-FAB").text)
            assert driver.execute_script("return window.spiMarker") == 42, "the page was reloaded"

        step("settle a conflict: keep mine")
        conflicts = spi.json(args.org, "conflicts", "list")
        assert len(conflicts) == 1, conflicts
        driver.get(base + "/conflicts")
        shot("conflicts")
        click('button[name="keep"][value="mine"]')
        wait.until(lambda d: "No open conflicts" in d.find_element(By.ID, "main").text)
        assert spi.json(args.org, "conflicts", "list") == []
        description = spi.json(args.org, "interface", "show", "SPI-SR-FAB")["description"]
        assert "within 15 minutes" in description and "Jira" not in description, description

        step("a write with a wrong CSRF token, or none, is refused")
        statuses = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const body = "activity=x&party=y&role=I&on=1";
            const headers = {"Content-Type": "application/x-www-form-urlencoded"};
            Promise.all([
              fetch("/spis/SPI-INC-FAB/raci", {method: "POST", body, headers: {...headers, "X-CSRF-Token": "wrong"}}),
              fetch("/spis/SPI-INC-FAB/raci", {method: "POST", body, headers}),
            ]).then(responses => done(responses.map(r => r.status)));
        """)
        assert statuses == [403, 403], statuses

        step("pair: trust a new replica's peer id from the Parties page; a peer id trusted already is refused")
        newcomer = os.path.join(tempfile.mkdtemp(prefix="spi-app-peer-"), "newcomer.db")
        register_id = spi.run(args.org, "whoami", "--field", "registerId").strip()
        spi.run(newcomer, "init", "--name", "Newcomer", "--kind", "provider", "--register", register_id)
        newcomer_id = spi.run(newcomer, "whoami", "--field", "peerId").strip()
        driver.get(base + "/parties")
        for field, value in [("name", "newcomer"), ("peer", newcomer_id), ("address", "127.0.0.1:7999")]:
            css(f"#peer-{field}").send_keys(value)
        click('#add-peer button[type="submit"]')
        wait.until(lambda d: "newcomer" in d.find_element(By.ID, "peer-list").text)
        trusted = spi.json(args.org, "peer", "list")
        assert any(p["name"] == "newcomer" and p["peerId"] == newcomer_id for p in trusted), trusted
        tailspin = next(p for p in trusted if p["name"] == "tailspin")
        for field, value in [("name", "again"), ("peer", tailspin["peerId"])]:
            css(f"#peer-{field}").send_keys(value)
        click('#add-peer button[type="submit"]')
        wait.until(lambda d: "already trusted" in d.find_element(By.CSS_SELECTOR, '#add-peer [data-error-for="peer"]').text)
        shot("parties")
        assert len(spi.json(args.org, "peer", "list")) == len(trusted)

        step("the ecosystem page: the heat map in colour, inside the app (no inline styles: the CSP holds)")
        driver.get(base + "/ecosystem")
        good = css("#ecosystem td.heat-good")
        assert driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", good) == "rgb(172, 238, 187)"
        red = css("#ecosystem td.heat-missing")
        assert driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", red) == "rgb(255, 179, 173)"
        assert "Ecosystem" in css('nav a[aria-current="page"]').text
        shot("ecosystem")

        step("phone width: the page does not overflow sideways; the matrix scrolls in its own box")
        driver.set_window_size(390, 844)
        driver.get(base + "/spis/SPI-INC-FAB")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot("spi-phone")
        assert driver.execute_script(
            "const box = document.querySelector('#raci .scroll') || document.querySelector('#raci');"
            "return getComputedStyle(box.closest('.scroll') || box).overflowX") in ("auto", "scroll")

        step("keyboard: the RACI letters are buttons, reachable with Tab and pressed with Enter")
        driver.set_window_size(1280, 800)
        driver.get(base + "/spis/SPI-INC-FAB")
        consulted = 'button[aria-label="INC-DIAG, NWR: Consulted"]'
        driver.execute_script("document.querySelector(arguments[0]).focus()", consulted)
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, consulted).get_attribute("aria-pressed") == "true")
        # The matrix was swapped in place; the keyboard focus is still on the same letter.
        wait.until(lambda d: d.switch_to.active_element.get_attribute("aria-label") == "INC-DIAG, NWR: Consulted")
        consulted_rows = raci("activity_id=INC-DIAG", "party_id=NWR", "role=C")
        assert len(consulted_rows) == 1, consulted_rows
    finally:
        driver.quit()
    step("done")
    print("timings: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in TIMINGS), flush=True)
    print(f"app browser test: every step passed in {time.monotonic() - STARTED:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        # On stdout, after the steps: the failing step is the last one printed.
        print("FAILED:\n" + traceback.format_exc(), flush=True)
        sys.exit(1)
