"""The address book in a real browser: contacts of a user and shared ones, added, changed,
searched and removed on /contacts, and picked as recipients on Send, against a real
`faxline serve`."""
from selenium.webdriver.common.by import By

from conftest import WEB, click_and_load, screenshot, sign_in


def heading(driver):
    return driver.find_element(By.TAG_NAME, "h1").text


def notice(driver):
    return driver.find_element(By.CSS_SELECTOR, ".notice").text


def table_text(driver):
    return driver.find_element(By.CSS_SELECTOR, "table.records").text


def add_contact(driver, name, number, company="", shared=False):
    form = driver.find_element(By.CSS_SELECTOR, "form[method='post'][action='/contacts']")
    form.find_element(By.ID, "name").send_keys(name)
    form.find_element(By.ID, "company").send_keys(company)
    form.find_element(By.ID, "number").send_keys(number)
    if shared:
        form.find_element(By.ID, "shared").click()
    click_and_load(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def row_of(driver, name):
    return next(row for row in driver.find_elements(By.CSS_SELECTOR, "table.records tbody tr") if name in row.text)


def test_contacts_are_kept_shared_and_picked_on_send(browser, second_browser, invoice_pdf):
    # An administrator puts the head office in everybody's address book.
    sign_in(second_browser, "carol")
    second_browser.get(WEB + "/contacts")
    add_contact(second_browser, "Head office", "+49 30 555-0177", company="Acme", shared=True)
    assert "added" in notice(second_browser)
    assert "shared" in row_of(second_browser, "Head office").text

    sign_in(browser, "alice")
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Contacts"))
    assert heading(browser) == "Contacts"
    assert browser.find_element(By.CSS_SELECTOR, "nav a[aria-current=page]").text == "Contacts"
    # Alice reads the shared contact but may not change it.
    office = row_of(browser, "Head office")
    assert "+49305550177" in office.text and not office.find_elements(By.PARTIAL_LINK_TEXT, "Edit")
    assert not browser.find_elements(By.ID, "shared"), "only administrators share contacts"

    # A bad number is named, and the form keeps what was typed.
    add_contact(browser, "Dr. Lee", "call me maybe", company="Clinic")
    assert "is not a phone number" in browser.find_element(By.CSS_SELECTOR, ".notice.bad").text
    assert browser.find_element(By.ID, "name").get_attribute("value") == "Dr. Lee"
    number = browser.find_element(By.ID, "number")
    number.clear()
    number.send_keys("+1 (555) 010-0188")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form[method='post'][action='/contacts'] button[type=submit]"))
    assert "added" in notice(browser)
    lee = row_of(browser, "Dr. Lee")
    assert "+15550100188" in lee.text and "yours" in lee.text

    # Edit: the company changes.
    click_and_load(browser, lee.find_element(By.PARTIAL_LINK_TEXT, "Edit"))
    assert heading(browser) == "Edit contact"
    screenshot(browser, "contact-edit")
    company = browser.find_element(By.ID, "company")
    company.clear()
    company.send_keys("City Clinic")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert "changed" in notice(browser)
    assert "City Clinic" in row_of(browser, "Dr. Lee").text

    # Search by a number as people type it.
    browser.find_element(By.ID, "q").send_keys("555-0177")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"))
    assert "Head office" in table_text(browser) and "Dr. Lee" not in table_text(browser)
    browser.get(WEB + "/contacts")
    screenshot(browser, "contacts")

    # Send: Dr. Lee ticked from the address book; the filter box (the script's) narrows the list.
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Send"))
    picker = browser.find_element(By.CSS_SELECTOR, "fieldset.contacts")
    assert "Dr. Lee (City Clinic)" in picker.text and "Head office (Acme)" in picker.text
    browser.find_element(By.ID, "contact-filter").send_keys("lee")
    choices = {label.get_attribute("textContent"): label for label in picker.find_elements(By.CSS_SELECTOR, "label.check")}
    office_choice = next(label for text, label in choices.items() if "Head office" in text)
    lee_choice = next(label for text, label in choices.items() if "Dr. Lee" in text)
    assert not office_choice.is_displayed() and lee_choice.is_displayed()
    lee_choice.find_element(By.TAG_NAME, "input").click()
    screenshot(browser, "send-contacts")
    browser.find_element(By.ID, "files").send_keys(str(invoice_pdf))
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form.send button[type=submit]"))
    assert heading(browser) == "Check and send"
    details = browser.find_element(By.CSS_SELECTOR, "dl.details").text
    assert "Dr. Lee (City Clinic) · +15550100188" in details
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/discard'] button"))

    # Removing it.
    browser.get(WEB + "/contacts")
    click_and_load(browser, row_of(browser, "Dr. Lee").find_element(By.CSS_SELECTOR, "form[action$='/remove'] button"))
    assert "removed" in notice(browser)
    assert "Dr. Lee" not in table_text(browser)
