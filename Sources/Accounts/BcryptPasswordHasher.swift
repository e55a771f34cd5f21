import FaxCore
import Foundation
import HummingbirdBcrypt

/// bcrypt through Hummingbird's implementation (OpenBSD's, constant-time check). Hashing at
/// cost 12 takes a quarter of a second of one core, so it runs on a Dispatch worker, not on
/// the caller's executor.
public struct BcryptPasswordHasher: PasswordHasher {
    /// The cost of every stored password; lower costs are for tests only.
    public static let defaultCost: UInt8 = 12

    public let cost: UInt8

    public init(cost: UInt8 = BcryptPasswordHasher.defaultCost) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4 to 31")
        self.cost = cost
    }

    public func hash(_ password: String) async -> String {
        let cost = self.cost
        return await OffloadedWork.run { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async -> Bool {
        // A NUL would end the C string early and let a prefix of the password match.
        guard !password.utf8.contains(0) else { return false }
        return await OffloadedWork.run { Bcrypt.verify(password, hash: hash) }
    }

    public func needsRehash(_ hash: String) -> Bool {
        guard let cost = Self.cost(of: hash) else { return true }
        return cost < self.cost
    }

    /// The cost in a `$2b$12$…` hash.
    static func cost(of hash: String) -> UInt8? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, ["2a", "2b", "2y"].contains(parts[1]), parts[2].count == 2 else { return nil }
        return UInt8(parts[2])
    }
}

/// CPU-heavy work off the Swift concurrency pool, whose few threads serve every connection.
enum OffloadedWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: body()) }
        }
    }
}
