import Foundation
import Testing

@testable import FaxCore

@Suite struct APITokenTests {
    let created = Date(timeIntervalSince1970: 1_790_000_000)
    static let secret = String(repeating: "aZ0-_", count: 8) + "xyz"

    @Test func tokenTextRoundTrips() throws {
        #expect(Self.secret.count == APITokenText.secretLength)
        let text = APITokenText(id: 42, secret: Self.secret)
        #expect(text.text == "fxl_42_" + Self.secret)
        #expect(APITokenText(parsing: text.text) == text)
        let underscoreFirst = "_" + Self.secret.dropFirst()
        #expect(APITokenText(parsing: "fxl_7_" + underscoreFirst)?.secret == String(underscoreFirst))
    }

    static let malformed: [String] = {
        let good: String = secret
        let short = String(good.dropLast())
        let tooLong: String = good + "a"
        return [
            "", "fxl_", "fxl__" + good, "fxl_0_" + good, "fxl_042_" + good, "fxl_-1_" + good, "fxl_x_" + good, "FXL_1_" + good,
            "fxl_1" + good, "fxl_1_" + short, "fxl_1_" + tooLong, "fxl_1_" + short + "=", "fxl_1_" + short + "+",
            "fxl_99999999999999999999_" + good, "Bearer fxl_1_" + good, "fxl_1_" + good + "\n",
        ]
    }()

    @Test(arguments: malformed)
    func malformedTokensAreNotTokens(_ text: String) {
        #expect(APITokenText(parsing: text) == nil)
    }

    @Test func usableUntilExpiryOrRevocation() throws {
        let token = try APIToken(userID: 1, userName: "alice", scope: .send, createdAt: created, expiresAt: created.addingTimeInterval(3600))
        #expect(token.isUsable(at: created))
        #expect(token.isUsable(at: created.addingTimeInterval(3599)))
        #expect(!token.isUsable(at: created.addingTimeInterval(3600)))
        #expect(token.state(at: created.addingTimeInterval(3600)) == "expired")
        var revoked = token
        revoked.revokedAt = created.addingTimeInterval(10)
        #expect(!revoked.isUsable(at: created.addingTimeInterval(20)))
        #expect(revoked.state(at: created) == "revoked")
        let forever = try APIToken(userID: 1, userName: "alice", scope: .read, createdAt: created)
        #expect(forever.isUsable(at: created.addingTimeInterval(100 * 365 * 86_400)))
        #expect(forever.state(at: created) == "active")
    }

    @Test func useIsRecordedAtMostOnceAMinute() throws {
        var token = try APIToken(userID: 1, userName: "alice", scope: .read, createdAt: created)
        #expect(token.shouldRecordUse(at: created))
        token.lastUsedAt = created
        #expect(!token.shouldRecordUse(at: created.addingTimeInterval(59)))
        #expect(token.shouldRecordUse(at: created.addingTimeInterval(60)))
        // A clock set back does not freeze the record.
        #expect(token.shouldRecordUse(at: created.addingTimeInterval(-5)))
    }

    @Test func labelsAndExpiryAreChecked() {
        #expect(throws: FaxValidationError.self) {
            try APIToken(userID: 1, userName: "a", scope: .read, label: "bad\nlabel", createdAt: created)
        }
        #expect(throws: FaxValidationError.self) {
            try APIToken(userID: 1, userName: "a", scope: .read, label: String(repeating: "l", count: 101), createdAt: created)
        }
        #expect(throws: FaxValidationError.self) {
            try APIToken(userID: 1, userName: "a", scope: .read, createdAt: created, expiresAt: created)
        }
    }
}
