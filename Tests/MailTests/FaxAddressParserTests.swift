import Mail
import Testing

@Suite("Fax recipient addresses")
struct FaxAddressParserTests {
    static let parser = FaxAddressParser(domains: ["fax.example.com", "Fax.Example.ORG."])

    @Test(arguments: [
        ("5550100", "fax.example.com", "5550100", FaxAddressForm.numberAtDomain, nil),
        ("+1 555 010 0100", "FAX.EXAMPLE.COM", "+1 555 010 0100", .numberAtDomain, nil),
        ("(555) 010-0100", "fax.example.org", "(555) 010-0100", .numberAtDomain, nil),
        ("555.010.0100", "fax.example.com", "555.010.0100", .numberAtDomain, nil),
        ("bob", "5550100.fax", "5550100", .numberAtFaxDomain, "bob"),
        ("anna", "1-555-010-0100.FAX", "1-555-010-0100", .numberAtFaxDomain, "anna"),
        ("[FAX:5550100]", "pbx.example.com", "5550100", .bracketTag, nil),
        ("[fax:+49 (30) 1234-567]", "anything.example", "+49 (30) 1234-567", .bracketTag, nil),
        ("[FAX:Bob Smith@+1 555 0100]", "pbx.example.com", "+1 555 0100", .bracketTag, "Bob Smith"),
        ("FAX=+15550100100", "example.org", "+15550100100", .equalsTag, nil),
        ("fax=555/0100", "example.org", "555/0100", .equalsTag, nil),
    ] as [(String, String, String, FaxAddressForm, String?)])
    func faxAddresses(local: String, domain: String, number: String, form: FaxAddressForm, name: String?) {
        #expect(Self.parser.parse(localPart: local, domain: domain)
            == .fax(FaxAddress(numberText: number, form: form, recipientName: name)))
    }

    @Test(arguments: [
        ("someone", "gmail.com"), ("5550100", "example.com"), ("postmaster", ""), ("fax", "fax"), ("[FAX]", "x.y"),
    ])
    func notFaxAddresses(local: String, domain: String) {
        #expect(Self.parser.parse(localPart: local, domain: domain) == .notFax)
    }

    @Test func faxFormsWithoutANumber() {
        #expect(Self.parser.parse(localPart: "john", domain: "fax.example.com") == .invalidNumber(form: .numberAtDomain, text: "john"))
        #expect(Self.parser.parse(localPart: "bob", domain: "sales.fax") == .invalidNumber(form: .numberAtFaxDomain, text: "sales"))
        #expect(Self.parser.parse(localPart: "[FAX:call me]", domain: "x.y") == .invalidNumber(form: .bracketTag, text: "call me"))
        #expect(Self.parser.parse(localPart: "FAX=--", domain: "x.y") == .invalidNumber(form: .equalsTag, text: "--"))
        let long = String(repeating: "1", count: 41)
        #expect(Self.parser.parse(localPart: long, domain: "fax.example.com") == .invalidNumber(form: .numberAtDomain, text: String(long.prefix(40))))
    }

    @Test func formsCanBeSwitchedOff() {
        let strict = FaxAddressParser(domains: ["fax.example.com"], acceptsFaxPseudoDomain: false, acceptsTaggedLocalParts: false)
        #expect(strict.parse(localPart: "bob", domain: "5550100.fax") == .notFax)
        #expect(strict.parse(localPart: "[FAX:5550100]", domain: "fax.example.com") == .invalidNumber(form: .numberAtDomain, text: "[FAX:5550100]"))
        #expect(strict.parse(localPart: "5550100", domain: "fax.example.com") != .notFax)
    }

    @Test func addressStrings() {
        #expect(Self.parser.parse(address: "\"(555) 010-0100\"@fax.example.com")
            == .fax(FaxAddress(numberText: "(555) 010-0100", form: .numberAtDomain, recipientName: nil)))
        #expect(Self.parser.parse(address: "no-at-sign") == .notFax)
    }

    /// The number rule is the caller's: here a stand-in that keeps digits and a leading `+`.
    struct DigitsOnly: Error, CustomStringConvertible {
        var description: String { "premium-rate numbers are blocked" }
    }

    @Test func numberRuleSeam() {
        let rule: (String) throws -> String = { text in
            let digits = text.filter { $0.isNumber || $0 == "+" }
            if digits.hasPrefix("900") { throw DigitsOnly() }
            return digits
        }
        let recipient = SMTPMailbox(localPart: "(555) 010-0100", domain: "fax.example.com")
        guard case .fax(let address, let number) = Self.parser.resolve(recipient, numberRule: rule) else {
            Issue.record("not resolved as a fax recipient")
            return
        }
        #expect(address.form == .numberAtDomain)
        #expect(number == "5550100100")
        let blocked = Self.parser.resolve(SMTPMailbox(localPart: "900-555", domain: "fax.example.com"), numberRule: rule)
        #expect(blocked.refusal == .refuse(SMTPServerReply(550, .init(5, 1, 1),
            "\"900-555\" is not a fax number this server can dial: premium-rate numbers are blocked")))
        #expect(Self.parser.resolve(SMTPMailbox(localPart: "x", domain: "gmail.com"), numberRule: rule).refusal == .relayDenied)
        #expect(Self.parser.resolve(recipient, numberRule: rule).refusal == nil)
    }
}
