"""The administration pages for people in a real browser: users, a password reset, API tokens,
webhooks and the audit log, against a real `faxline serve`."""
import json
import os
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from conftest import PASSWORD, SCRATCH, WEB, click_and_load, screenshot, sign_in, wait_for

ADMIN = "olivia"
FAXLINE = Path(os.environ["FAXLINE_PEER"]).with_name("faxline")


@pytest.fixture(scope="module")
def administrator():
    """An administrator, made with the CLI while the server runs (as an admin at the shell would)."""
    subprocess.run([str(FAXLINE), "users", "add", ADMIN, "--email", "olivia@example.com", "--admin", "--password-stdin",
                    "--data", str(SCRATCH)], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    return ADMIN


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def notice(driver):
    return driver.find_element(By.CSS_SELECTOR, ".notice").text


def api_me(token):
    request = urllib.request.Request(WEB + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def submit(form):
    click_and_load(form.parent, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def test_admin_adds_a_user_resets_the_password_makes_and_revokes_a_token_and_sees_the_audit_log(
        browser, second_browser, administrator):
    sign_in(browser, administrator)
    browser.get(WEB + "/admin/users")
    assert browser.title == "Users · Faxline"
    assert "alice@example.com" in browser.find_element(By.CSS_SELECTOR, "table.records").text
    screenshot(browser, "admin-users")

    form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/users']")
    form.find_element(By.ID, "name").send_keys("dora")
    form.find_element(By.ID, "display_name").send_keys("Dora Desk")
    form.find_element(By.ID, "email").send_keys("dora@example.com")
    form.find_element(By.ID, "device-201").click()
    form.find_element(By.ID, "password").send_keys("first password 1")
    submit(form)
    assert heading(browser) == "User dora"
    assert "added" in notice(browser)

    # "Forgot password": the administrator sets a new one; the user signs in with it.
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/password']")
    form.find_element(By.ID, "new_password").send_keys("fresh start 2026")
    form.find_element(By.ID, "confirm_password").send_keys("fresh start 2026")
    submit(form)
    assert "new password is set" in notice(browser)
    screenshot(browser, "admin-user")

    second_browser.get(WEB + "/signin")
    second_browser.find_element(By.ID, "name").send_keys("dora")
    second_browser.find_element(By.ID, "password").send_keys("fresh start 2026")
    click_and_load(second_browser, second_browser.find_element(By.CSS_SELECTOR, "form[action='/signin'] button[type=submit]"))
    wait_for(lambda: "/signin" not in second_browser.current_url, what="dora signed in")
    assert heading(second_browser) == "Inbox"
    # Dora is no administrator: the pages are closed to her.
    second_browser.get(WEB + "/admin/users")
    assert heading(second_browser) == "403 Forbidden"

    # A token: shown once, works against the API, then revoked.
    form = browser.find_element(By.CSS_SELECTOR, "form[action$='/tokens']")
    form.find_element(By.ID, "label").send_keys("scanner")
    submit(form)
    token = browser.find_element(By.ID, "issued-token").get_attribute("value")
    assert token.startswith("fxl_")
    screenshot(browser, "admin-user-token")
    status, me = api_me(token)
    assert status == 200 and me["user"]["name"] == "dora" and me["scope"] == "send"
    browser.get(WEB + "/admin/users/dora")
    assert token not in browser.page_source, "a token is shown only once"
    row = browser.find_element(By.CSS_SELECTOR, "#tokens tbody tr")
    assert "scanner" in row.text and "active" in row.text
    browser.execute_script("document.getElementById('tokens').scrollIntoView()")
    screenshot(browser, "admin-user-tokens")
    row = browser.find_element(By.CSS_SELECTOR, "#tokens tbody tr")
    submit(row.find_element(By.CSS_SELECTOR, "form"))
    assert "revoked" in notice(browser)
    assert "revoked" in browser.find_element(By.CSS_SELECTOR, "#tokens tbody tr").text
    assert api_me(token)[0] == 401

    browser.get(WEB + "/admin/audit")
    assert heading(browser) == "Audit log"
    log = browser.find_element(By.CSS_SELECTOR, "table.audit").text
    for entry in ("added user dora", "set the password of dora", "for dora (scope send", "revoked API token"):
        assert entry in log, entry
    assert f"{administrator} (web)" in log
    screenshot(browser, "admin-audit")
    browser.find_element(By.ID, "actor").send_keys("nobody at all")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "No entries that match" in browser.find_element(By.TAG_NAME, "main").text


def test_admin_adds_a_webhook_and_sees_its_secret_once(browser, administrator):
    sign_in(browser, administrator)
    browser.get(WEB + "/admin/webhooks")
    assert browser.title == "Webhooks · Faxline"
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/webhooks']")
    form.find_element(By.ID, "url").send_keys("http://127.0.0.1:9/faxline-hook")
    form.find_element(By.ID, "event-fax-received").click()
    submit(form)
    secret = browser.find_element(By.ID, "added-secret").get_attribute("value")
    assert secret.startswith("whsec_")
    assert "127.0.0.1:9/faxline-hook" in browser.find_element(By.CSS_SELECTOR, "table.records").text
    screenshot(browser, "admin-webhooks")
    browser.get(WEB + "/admin/webhooks")
    assert secret not in browser.page_source

    # A user's URL into the local network is refused, named, and nothing is added.
    form = browser.find_element(By.CSS_SELECTOR, "form[action='/admin/webhooks']")
    form.find_element(By.ID, "url").send_keys("http://192.168.1.20/hook")
    form.find_element(By.CSS_SELECTOR, "#owner option[value='alice']").click()
    submit(form)
    assert "192.168.1.20" in browser.find_element(By.CSS_SELECTOR, ".notice.bad").text
    assert "192.168.1.20" not in browser.find_element(By.CSS_SELECTOR, "table.records").text


def test_a_user_gets_403_on_the_admin_pages(browser):
    sign_in(browser, "alice")
    for path in ("/admin/users", "/admin/users/bob", "/admin/webhooks", "/admin/audit"):
        browser.get(WEB + path)
        assert heading(browser) == "403 Forbidden", path
