import Foundation
import Testing

@testable import FaxCore

@Suite struct UserTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    func user(
        name: String = "alice", displayName: String = "Alice Example", email: String = "alice@example.com",
        devices: [String] = ["201", "200"]
    ) throws -> User {
        try User(name: name, displayName: displayName, email: email, deviceExtensions: devices, createdAt: Self.created)
    }

    func rejects(_ field: String, containing words: String? = nil, sourceLocation: SourceLocation = #_sourceLocation, _ make: () throws -> Any) {
        do {
            _ = try make()
            Issue.record("accepted a bad \(field)", sourceLocation: sourceLocation)
        } catch let error as FaxValidationError {
            #expect(error.field == field, sourceLocation: sourceLocation)
            if let words { #expect(error.reason.contains(words), "\(error)", sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func validUserKeepsItsFieldsWithDevicesSortedOnce() throws {
        let user = try user(devices: ["201", "200", "201"])
        #expect(user.deviceExtensions == ["200", "201"])
        #expect(user.updatedAt == Self.created)
        #expect(user.isEnabled && !user.isAdmin && !user.hasPassword && user.lastLoginAt == nil)
        #expect(user.shownName == "Alice Example")
        #expect(try self.user(displayName: "").shownName == "alice")
        for name in ["a", "bob.smith", "fax_2", "x-ray", "jo@example.com", "0day", String(repeating: "n", count: 64)] {
            #expect(throws: Never.self, "\(name)") { try self.user(name: name) }
        }
    }

    @Test(arguments: ["", " alice", "-bob", ".x", "_x", "@x", "a b", "jörg", "a/b", "a;b", String(repeating: "n", count: 65)])
    func badLoginNamesAreRefused(_ name: String) {
        rejects("user name") { try user(name: name) }
    }

    @Test func uppercaseNamesAreRefusedWithAHint() {
        rejects("user name", containing: "use lowercase letters") { try user(name: "Alice") }
    }

    @Test func typedNamesAreComparedWithoutCaseAndBlanks() {
        #expect(User.loginName("  Alice ") == "alice")
        #expect(User.loginName("BOB@Example.COM") == "bob@example.com")
    }

    @Test func otherFieldsAreChecked() {
        rejects("email") { try user(email: "not an address") }
        rejects("email") { try user(email: "a@b@example.com") }
        rejects("display name") { try user(displayName: "Evil\nName") }
        rejects("display name") { try user(displayName: String(repeating: "d", count: 101)) }
        rejects("device") { try user(devices: ["20a"]) }
        rejects("device") { try user(devices: (0...User.maximumDevices).map { String(1000 + $0) }) }
    }

    @Test func changesApplyAndAreDescribed() throws {
        let user = try user()
        let later = Self.created.addingTimeInterval(60)
        let changed = try user.applying(
            User.Changes(email: "a@example.org", isAdmin: true, addDevices: ["300", "200"], removeDevices: ["201"]), at: later)
        #expect(changed.deviceExtensions == ["200", "300"])
        #expect(changed.email == "a@example.org" && changed.isAdmin)
        #expect(changed.updatedAt == later)
        #expect(user.differences(to: changed) == ["email a@example.org", "devices +300 -201", "made administrator"])
        #expect(user.differences(to: user).isEmpty)
        let disabled = try user.applying(User.Changes(displayName: "", isEnabled: false), at: later)
        #expect(user.differences(to: disabled) == ["display name", "disabled"])
    }

    @Test func changesAreCheckedAndRemovingAnUnownedDeviceIsAnError() throws {
        let user = try user()
        rejects("device", containing: "does not own") { try user.applying(User.Changes(removeDevices: ["999"]), at: Self.created) }
        rejects("email") { try user.applying(User.Changes(email: "nope"), at: Self.created) }
        #expect(User.Changes().isEmpty)
        #expect(!User.Changes(addDevices: ["1"]).isEmpty)
        // A clock that went backwards never makes a change older than the user.
        #expect(try user.applying(User.Changes(isAdmin: true), at: Self.created.addingTimeInterval(-60)).updatedAt == Self.created)
    }

    @Test func passwordRules() throws {
        let user = try user()
        #expect(throws: Never.self) { try PasswordRules.validate("correct horse battery", for: user) }
        #expect(throws: Never.self) { try PasswordRules.validate("Grüße-aus-Köln", for: user) }
        #expect(throws: Never.self) { try PasswordRules.validate(String(repeating: "ab3", count: 24), for: user) }
        rejects("password", containing: "at least 10") { try PasswordRules.validate("short1!", for: user) }
        rejects("password", containing: "at most 72 bytes") { try PasswordRules.validate(String(repeating: "äb3", count: 25), for: user) }
        rejects("password", containing: "control") { try PasswordRules.validate("tab\there-is-bad", for: user) }
        rejects("password", containing: "repeat") { try PasswordRules.validate("abababababab", for: user) }
        rejects("password", containing: "name") { try PasswordRules.validate("my-alice-2026", for: user) }
        rejects("password", containing: "mail") { try PasswordRules.validate("ALICE@EXAMPLE.COM1", for: user) }
    }
}
