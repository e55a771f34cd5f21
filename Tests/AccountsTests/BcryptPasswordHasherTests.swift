import Accounts
import Testing

@Suite struct BcryptPasswordHasherTests {
    @Test func theDefaultCostIsTwelveAndRoundTrips() async {
        let hasher = BcryptPasswordHasher()
        #expect(hasher.cost == 12)
        let hash = await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$12$") && hash.count == 60)
        #expect(await hasher.verify("correct horse battery", against: hash))
        #expect(await !hasher.verify("correct horse batterY", against: hash))
        #expect(!hasher.needsRehash(hash))
    }

    @Test func everyHashHasItsOwnSalt() async {
        let hasher = BcryptPasswordHasher(cost: 4)
        let first = await hasher.hash("same password")
        let second = await hasher.hash("same password")
        #expect(first != second)
        #expect(await hasher.verify("same password", against: first))
        #expect(await hasher.verify("same password", against: second))
    }

    @Test func weakerHashesAskForARehash() async {
        let weak = await BcryptPasswordHasher(cost: 4).hash("a password")
        #expect(BcryptPasswordHasher(cost: 5).needsRehash(weak))
        #expect(!BcryptPasswordHasher(cost: 4).needsRehash(weak))
        #expect(BcryptPasswordHasher(cost: 4).needsRehash("not a bcrypt hash"))
        #expect(BcryptPasswordHasher(cost: 4).needsRehash("$2b$xx$abc"))
    }

    @Test func garbageAndCutPasswordsNeverMatch() async {
        let hasher = BcryptPasswordHasher(cost: 4)
        let hash = await hasher.hash("prefix")
        #expect(await !hasher.verify("prefix\0and more", against: hash))
        #expect(await !hasher.verify("prefix", against: "not a bcrypt hash"))
        #expect(await !hasher.verify("prefix", against: ""))
    }
}
