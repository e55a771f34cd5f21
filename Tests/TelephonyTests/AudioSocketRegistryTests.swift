import Foundation
import Testing

@testable import Telephony

@Suite("AudioSocket session registry")
struct AudioSocketRegistryTests {
    @Test func aUUIDCanBeExpectedOnlyOnce() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        #expect(throws: AudioSocketError.alreadyExpected(uuid)) { try registry.register(uuid, endpoint: EchoEndpoint()) }
        #expect(registry.expectedCount == 1)
        #expect(registration.withdraw())
        #expect(registry.expectedCount == 0)
        // Withdrawn, the UUID may be announced again; the old registration cannot withdraw the new one.
        let again = try registry.register(uuid, endpoint: EchoEndpoint())
        #expect(!registration.withdraw())
        #expect(registry.expectedCount == 1)
        withExtendedLifetime(again) {}
    }

    @Test func releasingTheRegistrationWithdrawsIt() throws {
        let registry = AudioSocketSessionRegistry()
        do {
            let registration = try registry.register(UUID(), endpoint: EchoEndpoint())
            #expect(registry.expectedCount == 1)
            withExtendedLifetime(registration) {}
        }
        #expect(registry.expectedCount == 0)
    }

    @Test func aConnectionIsHandedOverOnceAndThenCannotBeWithdrawn() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint)
        #expect(registry.claim(uuid) === endpoint)
        // A second connection with the same UUID finds nobody.
        #expect(registry.claim(uuid) == nil)
        #expect(!registration.withdraw())
        #expect(registry.expectedCount == 0)
    }

    @Test func aWithdrawnRegistrationIsNotHandedOver() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        #expect(registration.withdraw())
        #expect(registry.claim(uuid) == nil)
        // Withdrawing twice reports that it was no longer waiting.
        #expect(!registration.withdraw())
    }
}
