"""The administrators' pages in a real browser: devices, routes (with move up), groups, the
effective configuration with its secrets masked; an ordinary user is refused."""
import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SCRATCH, WEB, click_and_load, screenshot, sign_in, wait_for

ADMIN = "carol"


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def main_text(driver):
    return driver.find_element(By.TAG_NAME, "main").text


def rule_descriptions(driver):
    return [rule.find_element(By.CSS_SELECTOR, ".what .sub").text
            for rule in driver.find_elements(By.CSS_SELECTOR, ".rules .rule:not(.builtin)")]


def ami_secret():
    """The AMI secret of the server's faxline.conf (web-test writes it from the emulator's)."""
    section = None
    for line in (SCRATCH / "faxline.conf").read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[] ")
        elif section == "ami" and line.startswith("secret"):
            return line.split("=", 1)[1].strip()
    raise AssertionError("no [ami] secret in faxline.conf")


def test_an_administrator_adds_a_device_and_a_route_moves_it_up_and_views_the_configuration(browser):
    sign_in(browser, ADMIN)
    browser.get(WEB + "/inbox")
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Admin"))
    assert heading(browser) == "Administration" and browser.title == "Administration · Faxline"
    screenshot(browser, "admin")

    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Devices"))
    assert heading(browser) == "Devices"
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/devices']")
    form.find_element(By.ID, "extension").send_keys("203")
    form.find_element(By.ID, "name").send_keys("Customer support")
    form.find_element(By.ID, "emails").send_keys("support@example.com\nlead@example.com")
    Select(form.find_element(By.ID, "format")).select_by_value("inline")
    form.find_element(By.ID, "group").send_keys("service")
    form.find_element(By.ID, "retention_days").send_keys("60")
    click_and_load(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait_for(lambda: "done=added" in browser.current_url, what="the device added")
    text = main_text(browser)
    assert "The device was added." in text and "203 · Customer support" in text and "60 days" in text
    screenshot(browser, "admin-devices")
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "203 · Customer support"))
    assert heading(browser) == "Device 203 · Customer support"
    screenshot(browser, "admin-device")

    browser.get(WEB + "/admin/routes")
    for did, caller, target, description in (("5550[1-3]XX", "", "201", "sales DIDs"), ("", "1900.", None, "junk faxes")):
        form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/routes']")
        form.find_element(By.ID, "did").send_keys(did)
        form.find_element(By.ID, "caller").send_keys(caller)
        if target:
            Select(form.find_element(By.ID, "to")).select_by_value(target)
        else:
            Select(form.find_element(By.ID, "action")).select_by_value("reject")
        form.find_element(By.ID, "description").send_keys(description)
        click_and_load(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        wait_for(lambda: "done=added" in browser.current_url and description in main_text(browser), what=f"the rule {description}")
    assert rule_descriptions(browser) == ["sales DIDs", "junk faxes"]
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "button[aria-label='Move rule 2 up']"))
    wait_for(lambda: "done=moved" in browser.current_url, what="the rule moved")
    assert rule_descriptions(browser) == ["junk faxes", "sales DIDs"]
    positions = [rule.find_element(By.CSS_SELECTOR, ".pos").text for rule in browser.find_elements(By.CSS_SELECTOR, ".rules .rule:not(.builtin)")]
    assert positions == ["1", "2"]
    screenshot(browser, "admin-routes")

    browser.get(WEB + "/admin/groups")
    assert "service" in main_text(browser) and "203" in main_text(browser)
    screenshot(browser, "admin-groups")

    browser.get(WEB + "/admin/configuration")
    assert heading(browser) == "Configuration"
    ami = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='section-ami']").text
    assert re.search(r"secret\s*••••", ami), ami
    assert ami_secret() not in browser.page_source
    screenshot(browser, "admin-configuration")


def test_an_ordinary_user_is_refused_the_admin_pages(browser):
    sign_in(browser, "alice")
    browser.get(WEB + "/inbox")
    assert not browser.find_elements(By.LINK_TEXT, "Admin")
    for path in ("/admin", "/admin/devices", "/admin/routes", "/admin/groups", "/admin/configuration"):
        browser.get(WEB + path)
        assert heading(browser) == "403 Forbidden", path
        assert "only administrators" in main_text(browser)
