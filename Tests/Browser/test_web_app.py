"""The web app in a real browser against a real `faxline serve` and the Asterisk emulator."""
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from conftest import WEB, click_and_load, screenshot, sign_in, wait_for


def fax_links(driver):
    return [link.get_attribute("href") for link in driver.find_elements(By.CSS_SELECTOR, ".faxes a.from")]


def job_state(driver):
    """The job page's state; the live part is replaced while it is read, so read it again then."""
    try:
        return driver.find_element(By.CSS_SELECTOR, "[data-state]").get_attribute("data-state")
    except StaleElementReferenceException:
        return None


def live_text(driver):
    try:
        return driver.find_element(By.ID, "live").text
    except StaleElementReferenceException:
        return ""


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def test_sign_in_page(browser):
    browser.get(WEB + "/inbox")
    assert "/signin" in browser.current_url
    assert browser.title == "Sign in · Faxline"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    screenshot(browser, "signin")
    browser.find_element(By.ID, "name").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("wrong password")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/signin'] button"))
    assert "wrong" in browser.find_element(By.CSS_SELECTOR, ".notice").text


def test_received_fax_in_inbox_and_its_page(browser, received_faxes):
    sign_in(browser, "alice")
    browser.get(WEB + "/inbox")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert received_faxes["alice"] in text and received_faxes["bob"] not in text
    assert browser.find_elements(By.CSS_SELECTOR, ".fax.unread")
    thumbnail = browser.find_element(By.CSS_SELECTOR, ".faxes img")
    wait_for(lambda: browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", thumbnail) > 0,
             what="the thumbnail")
    screenshot(browser, "inbox")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, ".faxes a.from"))
    assert heading(browser).startswith("Fax from")
    page = browser.find_element(By.CSS_SELECTOR, ".page img")
    wait_for(lambda: browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", page) > 0, what="page 1")
    timeline = browser.find_element(By.CSS_SELECTOR, ".timeline").text
    assert "Phase B" in timeline and "Page" in timeline
    screenshot(browser, "fax")
    browser.get(WEB + "/inbox")
    assert not browser.find_elements(By.CSS_SELECTOR, ".fax.unread"), "opened faxes are read"


def test_another_users_fax_is_forbidden(browser, second_browser, received_faxes):
    sign_in(second_browser, "bob")
    second_browser.get(WEB + "/inbox")
    bobs = fax_links(second_browser)
    assert bobs
    sign_in(browser, "alice")
    browser.get(bobs[0])
    assert heading(browser) == "403 Forbidden"
    assert "another user" in browser.find_element(By.TAG_NAME, "main").text
    screenshot(browser, "forbidden")


def test_a_form_without_its_token_is_refused(browser, received_faxes):
    sign_in(browser, "alice")
    browser.get(WEB + "/inbox")
    browser.get(fax_links(browser)[0])
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/note']")
    browser.execute_script("arguments[0].querySelector('input[name=form_token]').remove()", form)
    form.find_element(By.ID, "note").send_keys("forged")
    click_and_load(browser, form.find_element(By.CSS_SELECTOR, "button"))
    assert heading(browser) == "403 Forbidden"
    assert "form token" in browser.find_element(By.TAG_NAME, "main").text
    browser.back()
    browser.refresh()
    assert "forged" not in browser.find_element(By.ID, "note").get_attribute("value")


def test_send_a_pdf_with_a_cover_page_preview_then_the_job_finishes(browser, invoice_pdf):
    sign_in(browser, "alice")
    browser.get(WEB + "/send")
    screenshot(browser, "send")
    browser.find_element(By.ID, "numbers").send_keys("555 0199")
    browser.find_element(By.ID, "files").send_keys(str(invoice_pdf))
    browser.find_element(By.CSS_SELECTOR, "details.cover summary").click()
    browser.find_element(By.ID, "cover").click()
    browser.find_element(By.ID, "cover_to").send_keys("Accounts payable")
    browser.find_element(By.ID, "cover_subject").send_keys("Invoice 2026-1207")
    browser.find_element(By.ID, "cover_message").send_keys("Please find our invoice attached.")
    browser.find_element(By.ID, "tag").send_keys("Invoice 2026-1207")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.send button[type=submit]"))
    wait_for(lambda: heading(browser) == "Check and send", timeout=60, what="the preview")
    images = browser.find_elements(By.CSS_SELECTOR, ".preview img")
    assert len(images) == 2, "the cover page and the invoice"
    for image in images:
        wait_for(lambda: browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 0,
                 timeout=60, what="a preview page")
    screenshot(browser, "send-preview")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/confirm'] button"))
    assert heading(browser) == "Fax to 5550199"
    details = browser.find_element(By.CSS_SELECTOR, "dl.details").text
    assert "Reference (tag)" in details and "Invoice 2026-1207" in details
    # The page follows the job by itself (its script refreshes the live part).
    wait_for(lambda: job_state(browser) in ("sending", "done"), timeout=120, what="the call")
    wait_for(lambda: job_state(browser) == "done", timeout=240, what="the job to finish")
    wait_for(lambda: "2 pages sent" in live_text(browser), what="the pages sent")
    screenshot(browser, "job")
    browser.get(WEB + "/jobs")
    jobs = browser.find_element(By.CSS_SELECTOR, ".jobs").text
    assert "5550199" in jobs and "Invoice 2026-1207" in jobs
    screenshot(browser, "outbox")


def test_monitor(browser):
    sign_in(browser, "alice")
    browser.get(WEB + "/monitor")
    assert heading(browser) == "Monitor"
    assert "line0" in browser.find_element(By.CSS_SELECTOR, "table.lines").text
    screenshot(browser, "monitor")
