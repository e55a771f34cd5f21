import Foundation
import Testing

@testable import FaxCore

/// An address book entry's rules: the fields as `faxline send` and the forms need them.
@Suite struct ContactTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func fieldsAreTrimmedAndTheNumberIsTheDialedForm() throws {
        let contact = try Contact(
            ownerID: 7, name: "  Acme Legal\t", company: " Acme ", faxNumber: "+49 (30) 555-01.00", note: "line one\r\nline two",
            createdAt: Self.created)
        #expect(contact.name == "Acme Legal")
        #expect(contact.company == "Acme")
        #expect(contact.faxNumber == "+493055501" + "00")
        #expect(contact.note == "line one\nline two")
        #expect(contact.label == "Acme Legal (Acme)")
        #expect(contact.updatedAt == Self.created)
        #expect(!contact.isShared)
        #expect(UUID(uuidString: contact.id) != nil && contact.id == contact.id.lowercased())
    }

    @Test(arguments: [
        ("", "5550100", "name"),
        ("   ", "5550100", "name"),
        (String(repeating: "n", count: 101), "5550100", "name"),
        ("Tab\tin name", "5550100", "name"),
        ("Line\nbreak", "5550100", "name"),
        ("Acme", "", "fax number"),
        ("Acme", "555&0100", "fax number"),
        ("Acme", "sales@example.com", "fax number"),
        ("Acme", String(repeating: "5", count: 33), "fax number"),
    ])
    func badFieldsAreNamed(name: String, number: String, field: String) {
        #expect {
            try Contact(ownerID: nil, name: name, faxNumber: number, createdAt: Self.created)
        } throws: { error in
            (error as? FaxValidationError)?.field == field
        }
    }

    @Test func companyAndNoteHaveLimits() {
        #expect(throws: FaxValidationError.self) {
            try Contact(ownerID: nil, name: "n", company: String(repeating: "c", count: 101), faxNumber: "5", createdAt: Self.created)
        }
        #expect(throws: FaxValidationError.self) {
            try Contact(ownerID: nil, name: "n", faxNumber: "5", note: String(repeating: "x", count: 501), createdAt: Self.created)
        }
    }

    @Test func changesAreCheckedLikeANewContactAndKeepTheOwner() throws {
        let contact = try Contact(ownerID: nil, name: "Head office", faxNumber: "5550100", createdAt: Self.created)
        let later = Self.created.addingTimeInterval(60)
        let changed = try contact.applying(Contact.Changes(name: "Head office (new)", faxNumber: "555 0199"), at: later)
        #expect(changed.name == "Head office (new)")
        #expect(changed.faxNumber == "5550199")
        #expect(changed.id == contact.id && changed.ownerID == nil && changed.createdAt == Self.created)
        #expect(changed.updatedAt == later)
        #expect(throws: FaxValidationError(field: "name", reason: "must not be empty")) {
            try contact.applying(Contact.Changes(name: " "), at: later)
        }
    }
}
