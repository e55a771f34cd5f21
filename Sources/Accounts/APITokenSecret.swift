import Crypto
import FaxCore
import Foundation

/// Making and checking the secret part of API tokens: 32 random bytes from the system's
/// generator, shown as base64url; stored only as their SHA-256.
enum APITokenSecret {
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ secret: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Whether `secret` hashes to `expected`, in time that does not depend on where they differ.
    static func matches(_ secret: String, hash expected: [UInt8]) -> Bool {
        let actual = hash(secret)
        guard actual.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in actual.indices { difference |= actual[index] ^ expected[index] }
        return difference == 0
    }
}
