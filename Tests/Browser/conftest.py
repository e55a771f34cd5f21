"""Fixtures of the browser tests: the server's address, the far end, documents, browsers."""
import os
import subprocess
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.wait import WebDriverWait

WEB = os.environ["FAXLINE_WEB"]
PASSWORD = os.environ["FAXLINE_PASSWORD"]
SCRATCH = Path(os.environ["FAXLINE_SCRATCH"])
SCREENSHOTS = Path(os.environ["FAXLINE_SCREENSHOTS"])
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}

POSTSCRIPT = """%!PS
/Helvetica-Bold findfont 28 scalefont setfont
72 740 moveto (Invoice 2026-1207) show
/Helvetica findfont 14 scalefont setfont
72 700 moveto (ACME Supplies Ltd, 1 Main Street, Springfield) show
72 680 moveto (Item                     Qty        Price) show
72 660 moveto (Fax paper, 100 sheets      4        12.00) show
72 640 moveto (Toner cartridge            1        89.50) show
72 600 moveto (Total due within 30 days:          137.50) show
4 setlinewidth 72 560 moveto 540 560 lineto stroke
showpage
"""


def _ghostscript(device, output, *extra):
    source = SCRATCH / "invoice.ps"
    source.write_text(POSTSCRIPT)
    subprocess.run(["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", f"-sDEVICE={device}", *extra,
                    f"-sOutputFile={output}", str(source)], check=True)
    return output


@pytest.fixture(scope="session")
def invoice_pdf():
    return _ghostscript("pdfwrite", SCRATCH / "invoice.pdf")


@pytest.fixture(scope="session")
def received_faxes():
    """Two faxes arrive by inbound calls through the emulator, in real time: one to alice's
    device 201, one to bob's 202. Returns the callers' numbers."""
    tiff = _ghostscript("tiffg4", SCRATCH / "invoice.tif", "-r204x196", "-dFIXEDMEDIA", "-sPAPERSIZE=a4",
                        "-dPDFFitPage", "-g1728x2292")
    peer = os.environ["FAXLINE_PEER"]
    agi = os.environ["FAXLINE_AGI_PORT"]
    calls = {device: subprocess.Popen([peer, "call", agi, device, caller, str(tiff)], stdout=subprocess.PIPE, text=True)
             for device, caller in (("201", "5550123"), ("202", "5550456"))}
    for device, call in calls.items():
        output, _ = call.communicate(timeout=240)
        assert call.returncode == 0, f"the inbound call to {device} failed: {output}"
    return {"alice": "5550123", "bob": "5550456"}


def _browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars",
                     "--force-device-scale-factor=1", "--lang=en-GB"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_window_size(*SIZES["desktop"])
    driver.implicitly_wait(0)
    return driver


@pytest.fixture
def browser():
    driver = _browser()
    yield driver
    driver.quit()


@pytest.fixture
def second_browser():
    driver = _browser()
    yield driver
    driver.quit()


def sign_in(driver, name):
    driver.get(WEB + "/signin")
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(PASSWORD)
    click_and_load(driver, driver.find_element("css selector", "form[action='/signin'] button[type=submit]"))
    wait_for(lambda: "/signin" not in driver.current_url, what=f"{name} signed in")


def click_and_load(driver, element, timeout=60):
    """Clicks what submits a form or follows a link, and returns once the next page has
    replaced this one. A click returns before the browser has navigated: reading the page right
    after it reads the old page (CI's slower machine saw exactly that)."""
    old_page = driver.find_element("tag name", "html")
    element.click()
    WebDriverWait(driver, timeout).until(_replaced(old_page), message="the next page after the click")
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete", message="the next page to load")


def _replaced(element):
    """Whether `element`'s page has gone. Asked about a node of a page that is being replaced,
    chromedriver answers "stale element" — or, now and then on a loaded machine, an inspector
    error saying the node no longer belongs to the document (it made tests fail at random)."""
    def predicate(_):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return predicate


def wait_for(condition, timeout=30, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (NoSuchElementException, StaleElementReferenceException):
            pass  # the page is being replaced: its elements come back with the new one
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def screenshot(driver, name):
    """Saves the page at both sizes: the full height of the page, so nothing cut off escapes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for size, (width, height) in SIZES.items():
        driver.set_window_size(width, height)
        time.sleep(0.3)
        # No horizontal scrolling: a layout wider than the window is cut off on a phone.
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} at {size} is {overflow} px wider than the window"
        # The window as tall as the page, so that the picture shows all of it, not the first screen.
        page_height = driver.execute_script("return document.documentElement.scrollHeight")
        if page_height > height:
            driver.set_window_size(width, page_height)
            time.sleep(0.3)
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-{size}.png"))
    driver.set_window_size(*SIZES["desktop"])
