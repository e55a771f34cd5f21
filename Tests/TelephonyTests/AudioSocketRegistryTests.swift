import Foundation
import NIOCore
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
        #expect(registry.claim(uuid, from: nil).endpoint === endpoint)
        // A second connection with the same UUID finds nobody.
        #expect(registry.claim(uuid, from: nil).endpoint == nil)
        #expect(!registration.withdraw())
        #expect(registry.expectedCount == 0)
    }

    @Test func aWithdrawnRegistrationIsNotHandedOver() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let registration = try registry.register(uuid, endpoint: EchoEndpoint())
        #expect(registration.withdraw())
        #expect(registry.claim(uuid, from: nil).endpoint == nil)
        // Withdrawing twice reports that it was no longer waiting.
        #expect(!registration.withdraw())
    }

    @Test func aRegistrationWithAPeerIsTakenOnlyFromThatMachine() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint, peer: try SocketAddress(ipAddress: "192.0.2.10", port: 40001))
        guard case .wrongPeer = registry.claim(uuid, from: try SocketAddress(ipAddress: "192.0.2.11", port: 40002)) else {
            Issue.record("a connection from another machine was not refused")
            return
        }
        #expect(registry.claim(uuid, from: nil).endpoint == nil)
        // Still waiting for its own machine (another port: a new connection).
        #expect(registry.expectedCount == 1)
        #expect(registry.claim(uuid, from: try SocketAddress(ipAddress: "::ffff:192.0.2.10", port: 40003)).endpoint === endpoint)
        #expect(!registration.withdraw())
    }

    @Test func loopbackOverIPv6CountsAsTheSameMachineAsOverIPv4() throws {
        let registry = AudioSocketSessionRegistry()
        let uuid = UUID()
        let endpoint = EchoEndpoint()
        let registration = try registry.register(uuid, endpoint: endpoint, peer: try SocketAddress(ipAddress: "127.0.0.1", port: 1))
        #expect(registry.claim(uuid, from: try SocketAddress(ipAddress: "::1", port: 2)).endpoint === endpoint)
        withExtendedLifetime(registration) {}
    }
}
