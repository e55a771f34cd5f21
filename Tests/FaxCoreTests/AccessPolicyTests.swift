import Foundation
import Testing

@testable import FaxCore

/// The access rules as a table: every principal against every kind of request.
@Suite struct AccessPolicyTests {
    static let created = Date(timeIntervalSince1970: 1_790_000_000)

    static func user(_ name: String, admin: Bool = false, devices: [String] = [], enabled: Bool = true) -> User {
        // The names and addresses here are valid; a failure would be a bug in the test.
        try! User(id: 1, name: name, email: "\(name)@example.com", isAdmin: admin, isEnabled: enabled, deviceExtensions: devices,
                  createdAt: created)
    }

    static let admin = user("root", admin: true)
    static let alice = user("alice", devices: ["200", "201"])

    /// The table's columns.
    static let principals: [(label: String, principal: Principal)] = [
        ("admin", Principal(user: admin, credential: .password)),
        ("admin read token", Principal(user: admin, credential: .token(id: 1, scope: .read))),
        ("admin send token", Principal(user: admin, credential: .token(id: 2, scope: .send))),
        ("admin admin token", Principal(user: admin, credential: .token(id: 3, scope: .admin))),
        ("alice", Principal(user: alice, credential: .password)),
        ("alice read token", Principal(user: alice, credential: .token(id: 4, scope: .read))),
        ("alice send token", Principal(user: alice, credential: .token(id: 5, scope: .send))),
        ("alice admin token", Principal(user: alice, credential: .token(id: 6, scope: .admin))),
        ("disabled alice", Principal(user: user("alice", devices: ["200", "201"], enabled: false), credential: .password)),
    ]

    static let alicesFax = Ownership(deviceExtensions: ["200"])
    static let sharedFax = Ownership(deviceExtensions: ["200", "300"])
    static let bobsFax = Ownership(deviceExtensions: ["300"])
    static let unroutedFax = Ownership()
    static let aliceSubmittedWithoutDevice = Ownership(submitter: "alice")
    static let bobSubmittedFromAlicesDevice = Ownership(deviceExtensions: ["201"], submitter: "bob")
    static let bobsJob = Ownership(deviceExtensions: ["300"], submitter: "bob")
    static let alicesID = alice.id
    static let bobsID: Int64 = 2

    /// One row per request; one code per principal, in the order above:
    /// `+` allowed, `s` scope too narrow, `o` not the owner, `v` not the user's device,
    /// `a` administrators only, `p` password sign-in needed, `d` user disabled.
    static let table: [(request: AccessRequest, expected: String)] = [
        (.fax(.read, alicesFax), "++++ ++++ d"),
        (.fax(.read, sharedFax), "++++ ++++ d"),
        (.fax(.read, bobsFax), "++++ oooo d"),
        (.fax(.read, unroutedFax), "++++ oooo d"),
        (.fax(.resend, alicesFax), "+s++ +s++ d"),
        (.fax(.resend, bobsFax), "+s++ osoo d"),
        (.fax(.delete, alicesFax), "+ss+ +ss+ d"),
        (.fax(.delete, sharedFax), "+ss+ +ss+ d"),
        (.fax(.delete, bobsFax), "+ss+ osso d"),
        (.job(.read, aliceSubmittedWithoutDevice), "++++ ++++ d"),
        (.job(.read, bobSubmittedFromAlicesDevice), "++++ ++++ d"),
        (.job(.read, bobsJob), "++++ oooo d"),
        (.job(.kill, aliceSubmittedWithoutDevice), "+s++ +s++ d"),
        (.job(.kill, bobsJob), "+s++ osoo d"),
        (.job(.retry, bobSubmittedFromAlicesDevice), "+s++ +s++ d"),
        (.job(.retry, bobsJob), "+s++ osoo d"),
        (.send(asDevice: "200"), "+s++ +s++ d"),
        (.send(asDevice: "300"), "+s++ vsvv d"),
        (.send(asDevice: nil), "+s++ asaa d"),
        (.serverStatus, "++++ ++++ d"),
        (.ownAccount(.changePassword), "+ppp +ppp d"),
        (.ownAccount(.manageTokens), "+ss+ +ss+ d"),
        (.ownAccount(.manageWebhooks), "+ss+ +ss+ d"),
        (.contact(.read, ownerID: alicesID), "++++ ++++ d"),
        (.contact(.read, ownerID: nil), "++++ ++++ d"),
        (.contact(.read, ownerID: bobsID), "++++ oooo d"),
        (.contact(.change, ownerID: alicesID), "+s++ +s++ d"),
        (.contact(.change, ownerID: nil), "+s++ asaa d"),
        (.contact(.change, ownerID: bobsID), "+s++ osoo d"),
    ] + AdministrationArea.allCases.map { (.administer($0), "+ss+ assa d") }

    static func code(_ decision: AccessDecision) -> Character {
        switch decision {
        case .allowed: "+"
        case .denied(.scope): "s"
        case .denied(.notOwner): "o"
        case .denied(.notDeviceOwner): "v"
        case .denied(.administratorsOnly): "a"
        case .denied(.passwordRequired): "p"
        case .denied(.userDisabled): "d"
        }
    }

    @Test(arguments: table.indices)
    func decisionsMatchTheTable(_ row: Int) {
        let (request, expected) = Self.table[row]
        let codes = Array(expected.filter { $0 != " " })
        #expect(codes.count == Self.principals.count, "row \(row) has a code per principal")
        for (column, entry) in Self.principals.enumerated() where column < codes.count {
            let decision = AccessPolicy.decide(entry.principal, request)
            #expect(Self.code(decision) == codes[column], "\(entry.label): \(request) → \(decision)")
        }
    }

    @Test func everyKindOfRequestIsInTheTable() {
        var faxActions = Set<FaxOperation>(), jobActions = Set<JobOperation>(), own = Set<OwnAccountAction>()
        var areas = Set<AdministrationArea>(), contactActions = Set<ContactOperation>()
        for (request, _) in Self.table {
            switch request {
            case .fax(let action, _): faxActions.insert(action)
            case .job(let action, _): jobActions.insert(action)
            case .ownAccount(let action): own.insert(action)
            case .administer(let area): areas.insert(area)
            case .contact(let action, _): contactActions.insert(action)
            case .send, .serverStatus: break
            }
        }
        #expect(faxActions == Set(FaxOperation.allCases))
        #expect(jobActions == Set(JobOperation.allCases))
        #expect(own == Set(OwnAccountAction.allCases))
        #expect(areas == Set(AdministrationArea.allCases))
        #expect(contactActions == Set(ContactOperation.allCases))
        let scopes = Set(Self.principals.map(\.principal.scope))
        #expect(scopes == Set(TokenScope.allCases))
    }

    @Test func contactListsFollowTheRuleForOneContact() {
        let alice = Principal(user: Self.alice, credential: .password)
        let admin = Principal(user: Self.admin, credential: .password)
        #expect(AccessPolicy.contactScope(for: alice) == .addressBook(userID: 1))
        #expect(AccessPolicy.decideContactList(alice, .addressBook(userID: 1)) == .allowed)
        #expect(AccessPolicy.decideContactList(alice, .shared) == .allowed)
        #expect(AccessPolicy.decideContactList(alice, .owned(userID: Self.bobsID)) == .denied(.notOwner))
        #expect(AccessPolicy.decideContactList(alice, .everything) == .denied(.administratorsOnly))
        #expect(AccessPolicy.decideContactList(admin, .owned(userID: Self.bobsID)) == .allowed)
        #expect(AccessPolicy.decideContactList(admin, .everything) == .allowed)
    }

    @Test func listsShowWhatOneItemMayBeRead() {
        let ownerships = [Self.alicesFax, Self.sharedFax, Self.bobsFax, Self.unroutedFax, Self.aliceSubmittedWithoutDevice,
                          Self.bobSubmittedFromAlicesDevice, Self.bobsJob]
        for (label, principal) in Self.principals {
            let scope = AccessPolicy.listScope(for: principal)
            for ownership in ownerships {
                #expect(scope.includes(ownership) == AccessPolicy.decide(principal, .fax(.read, ownership)).isAllowed, "\(label) \(ownership)")
                #expect(scope.includes(ownership) == AccessPolicy.decide(principal, .job(.read, ownership)).isAllowed, "\(label) \(ownership)")
            }
        }
        #expect(AccessPolicy.listScope(for: Self.principals[0].principal) == .everything)
        #expect(AccessPolicy.listScope(for: Self.principals[5].principal) == .owned(deviceExtensions: ["200", "201"], submitter: "alice"))
        #expect(AccessPolicy.listScope(for: Self.principals[8].principal) == .nothing)
    }

    @Test func faxesAndJobsNameTheirOwners() throws {
        let received = FaxRecord(deviceExtensions: ["200", "300"])
        #expect(received.ownership == Ownership(deviceExtensions: ["200", "300"]))
        let document = try SpoolPath("out/x.tif")
        let job = try Job(number: "5550100", document: document, pageCount: 1, sender: JobSender(deviceExtension: "201"), owner: "bob")
        #expect(job.ownership == Ownership(deviceExtensions: ["201"], submitter: "bob"))
        let anonymous = try Job(number: "5550100", document: document, pageCount: 1)
        #expect(anonymous.ownership == Ownership())
        let alice = Self.principals[6].principal
        #expect(AccessPolicy.decide(alice, .read, fax: received) == .allowed)
        #expect(AccessPolicy.decide(alice, .kill, job: job) == .allowed)
        #expect(AccessPolicy.decide(alice, .kill, job: anonymous) == .denied(.notOwner))
    }

    @Test func deniedRequestsSayWhyInWords() {
        #expect(AccessDenial.scope(needed: .send, granted: .read).description == "the token's scope is read; this needs a token with scope send")
        #expect(AccessDenial.notDeviceOwner("300").description == "fax device 300 is not one of the user's devices")
        #expect(AccessDenial.passwordRequired.description.contains("password"))
    }

    @Test func scopesAreOrdered() {
        #expect(TokenScope.read < .send && TokenScope.send < .admin)
        #expect(TokenScope.allCases.sorted() == [.read, .send, .admin])
        #expect(Principal(user: Self.alice, credential: .password).scope == .admin)
    }
}
