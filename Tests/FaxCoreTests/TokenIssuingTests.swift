import Foundation
import Testing

@testable import FaxCore

/// The rules of making tokens that the API and the web app share: lifetimes, and who may make
/// which scope for whom.
@Suite struct TokenIssuingTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func lifetimesAreDaysUpToTenYearsOrNever() throws {
        #expect(try APIToken.expiry(days: 90, from: Self.now) == Self.now.addingTimeInterval(90 * 86_400))
        #expect(try APIToken.expiry(days: 0, from: Self.now) == nil)
        #expect(try APIToken.expiry(days: APIToken.maximumLifetimeDays, from: Self.now) != nil)
        for days in [-1, APIToken.maximumLifetimeDays + 1] {
            #expect(throws: FaxValidationError(field: "expiresInDays", reason: "must be 0 (never) to 3650 days (got \(days))")) {
                try APIToken.expiry(days: days, from: Self.now, field: "expiresInDays")
            }
        }
    }

    @Test func ownTokensNeverWiderThanTheAskingOneOthersOnlyForAdministrators() {
        let admin = AccessPolicyTests.admin
        let alice = AccessPolicyTests.alice
        let password = Principal(user: alice, credential: .password)
        #expect(AccessPolicy.decideTokenCreation(password, owner: "alice", scope: .admin) == .allowed)
        let sendToken = Principal(user: alice, credential: .token(id: 5, scope: .send))
        #expect(AccessPolicy.decideTokenCreation(sendToken, owner: "alice", scope: .send) == .denied(.scope(needed: .admin, granted: .send)),
                "managing tokens needs an admin-scope token")
        let adminToken = Principal(user: alice, credential: .token(id: 6, scope: .admin))
        #expect(AccessPolicy.decideTokenCreation(adminToken, owner: "alice", scope: .read) == .allowed)
        #expect(AccessPolicy.decideTokenCreation(adminToken, owner: "root", scope: .read) == .denied(.administratorsOnly))
        #expect(AccessPolicy.decideTokenCreation(Principal(user: admin, credential: .password), owner: "alice", scope: .admin) == .allowed)
        let adminReadToken = Principal(user: admin, credential: .token(id: 1, scope: .read))
        #expect(AccessPolicy.decideTokenCreation(adminReadToken, owner: "alice", scope: .read) == .denied(.scope(needed: .admin, granted: .read)))
    }
}
