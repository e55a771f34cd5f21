import Testing

@testable import FaxCore

@Suite struct FaxDeviceTests {
    func device(
        extensionNumber: String = "200", name: String = "Front desk", emails: [String] = ["desk@example.com"],
        stationID: String = "+49 30 1234", headerText: String = "ACME Ltd", group: String? = nil
    ) throws -> FaxDevice {
        try FaxDevice(
            extensionNumber: extensionNumber, name: name, emailAddresses: emails, stationID: stationID,
            headerText: headerText, group: group)
    }

    func rejects(_ field: String, _ make: () throws -> FaxDevice, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try make()
            Issue.record("accepted a bad \(field)", sourceLocation: sourceLocation)
        } catch let error as FaxValidationError {
            #expect(error.field == field, sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix("invalid \(field): "), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func validDeviceKeepsItsFieldsAndDefaults() throws {
        let device = try device(group: "sales-1.a_b")
        #expect(device.extensionNumber == "200")
        #expect(device.deliveryFormat == .pdf)
        #expect(device.isEnabled)
        #expect(device.id == nil)
        #expect(device.group == "sales-1.a_b")
        _ = try self.device(extensionNumber: String(repeating: "9", count: 20), stationID: String(repeating: "x", count: 20),
                            headerText: String(repeating: "h", count: 50))
    }

    @Test(arguments: ["", "20a", "+200", " 200", String(repeating: "1", count: 21), "２００"])
    func extensionMustBeOneToTwentyDigits(_ value: String) {
        rejects("extension") { try device(extensionNumber: value) }
    }

    @Test(arguments: ["", "   ", "line\nbreak", "tab\tname", String(repeating: "n", count: 101)])
    func nameMustBeNonEmptyShortAndWithoutControlCharacters(_ value: String) {
        rejects("name") { try device(name: value) }
    }

    @Test(arguments: [
        "plain", "two@@example.com", "a@b@example.com", "@example.com", "user@", "user@exa mple.com",
        "user@example.com\r\nBcc: evil@example.com", "user@example.com\n", "User <user@example.com>",
        "a,b@example.com", "user@example..com", "user@-example.com", ".user@example.com",
        String(repeating: "a", count: 65) + "@example.com",
        "u@" + String(repeating: "d", count: 250) + ".com",
    ])
    func badEmailAddressesAreRefused(_ value: String) {
        rejects("email") { try device(emails: [value]) }
    }

    @Test func emailListRules() throws {
        rejects("email") { try device(emails: []) }
        rejects("email") { try device(emails: ["a@example.com", "A@EXAMPLE.com"]) }
        rejects("email") { try device(emails: (0...FaxDevice.maximumEmailAddresses).map { "u\($0)@example.com" }) }
        let many = try device(emails: (1...FaxDevice.maximumEmailAddresses).map { "u\($0)@example.com" })
        #expect(many.emailAddresses.count == FaxDevice.maximumEmailAddresses)
        // A domain in its ASCII form is what the mail path sends to; the Unicode form is refused
        // with a message that says so, and so is a non-ASCII name (it would need SMTPUTF8).
        let international = try device(emails: ["first.last+fax@sub.xn--exmple-cua.de", "x@localhost"])
        #expect(international.emailAddresses.count == 2)
        rejects("email") { try device(emails: ["first.last+fax@sub.exämple.de"]) }
        rejects("email") { try device(emails: ["jörg@example.com"]) }
        #expect(throws: FaxValidationError.self) { try EmailAddress.validate("jörg@example.com") }
        do {
            try EmailAddress.validate("jörg@example.com")
        } catch {
            #expect(error.reason.contains("SMTPUTF8"))
        }
    }

    @Test("numbers are dialed as they are normalized: one rule for jobs and dial strings")
    func numberRule() throws {
        #expect(try FaxNumber.normalized("+1 (555) 010-0") == "+15550100")
        #expect(try FaxNumber.normalized("*31#5550100") == "*31#5550100")
        for bad in ["", "+", "555;0100", "555&5551", "PJSIP/555", "5+55", String(repeating: "1", count: 33)] {
            #expect(throws: FaxValidationError.self) { try FaxNumber.normalized(bad) }
        }
        #expect(FaxNumber.isDialable("+15550100") && !FaxNumber.isDialable("555 0100"))
    }

    @Test(arguments: [String(repeating: "1", count: 21), "Zürich", "tab\there"])
    func stationIDIsAtMostTwentyPrintableASCII(_ value: String) {
        rejects("station id") { try device(stationID: value) }
    }

    @Test(arguments: [String(repeating: "h", count: 51), "Grüße", "line\nbreak"])
    func headerIsAtMostFiftyPrintableASCII(_ value: String) {
        rejects("header") { try device(headerText: value) }
    }

    @Test(arguments: ["", "has space", "semi;colon", "ü", String(repeating: "g", count: 65)])
    func groupNamesAreSimpleIdentifiers(_ value: String) {
        rejects("group") { try device(group: value) }
    }

    @Test func changesApplyOnlyGivenFieldsAndAreValidated() throws {
        let original = try device(group: "sales")
        let changed = try original.applying(
            FaxDevice.Changes(name: "Sales desk", deliveryFormat: .both, isEnabled: false, group: .remove))
        #expect(changed.name == "Sales desk")
        #expect(changed.deliveryFormat == .both)
        #expect(!changed.isEnabled)
        #expect(changed.group == nil)
        #expect(changed.emailAddresses == original.emailAddresses)
        #expect(changed.stationID == original.stationID)
        #expect(FaxDevice.Changes().isEmpty)
        #expect(throws: FaxValidationError.self) { try original.applying(FaxDevice.Changes(emailAddresses: ["bad"])) }
        #expect(try original.applying(FaxDevice.Changes(group: .set("support"))).group == "support")
    }

    @Test func errorMessagesQuoteBadValuesSafely() {
        do {
            _ = try device(emails: ["a@b\r\nRCPT TO:<x@y>"])
            Issue.record("accepted a line break")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\r") && !text.contains("\n"))
            #expect(text.contains("line break"))
        }
    }
}
