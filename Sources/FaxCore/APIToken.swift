import Foundation

/// What an API token may do, on top of what its user may do.
public enum TokenScope: String, Sendable, Codable, CaseIterable, Comparable {
    /// Read faxes, jobs and status.
    case read
    /// `read`, and send faxes, mail them again, kill and retry jobs.
    case send
    /// Everything the user may do: also delete faxes, manage their own tokens and webhooks,
    /// and the administration if the user is an administrator.
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .send: 1
        case .admin: 2
        }
    }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rank < rhs.rank }
}

/// A stored API token, without its secret (which is shown once, at creation, and stored only
/// as a hash).
public struct APIToken: Sendable, Codable, Equatable {
    /// Assigned by the store; `nil` before it is saved. Part of the token text.
    public var id: Int64?
    public var userID: Int64
    /// The owner's login name, filled in by the store when it reads the token.
    public var userName: String
    public var scope: TokenScope
    /// What the token is for, as its creator wrote it ("scanner", "ERP"); may be empty.
    public var label: String
    public var createdAt: Date
    /// `nil`: does not expire.
    public var expiresAt: Date?
    /// Recorded at most once a minute.
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public static let maximumLabelLength = 100
    /// A token lives this long unless its creator says otherwise.
    public static let defaultLifetimeDays = 90
    public static let maximumLifetimeDays = 3650

    /// When a token made at `now` to live `days` expires; 0 days: never. The API, the web app
    /// and the CLI take lifetimes through this.
    public static func expiry(days: Int, from now: Date, field: String = "expiry") throws(FaxValidationError) -> Date? {
        guard (0...maximumLifetimeDays).contains(days) else {
            throw FaxValidationError(field: field, reason: "must be 0 (never) to \(maximumLifetimeDays) days (got \(days))")
        }
        return days == 0 ? nil : now.addingTimeInterval(Double(days) * 86_400)
    }

    public init(
        id: Int64? = nil, userID: Int64, userName: String, scope: TokenScope, label: String = "", createdAt: Date,
        expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) throws {
        self.id = id
        self.userID = userID
        self.userName = userName
        self.scope = scope
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        try validate()
    }

    public func validate() throws {
        guard label.count <= Self.maximumLabelLength, !FieldRules.hasControlCharacters(label) else {
            throw FaxValidationError(
                field: "label", reason: "\(FieldRules.quoted(label)) must be at most \(Self.maximumLabelLength) characters without control characters")
        }
        if let expiresAt, expiresAt <= createdAt {
            throw FaxValidationError(field: "expiry", reason: "must be after the token is created")
        }
    }

    /// Whether the token still opens the API at `now` (its user must be enabled too).
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    /// `revoked`, `expired` or `active`, for lists.
    public func state(at now: Date) -> String {
        if revokedAt != nil { return "revoked" }
        if let expiresAt, now >= expiresAt { return "expired" }
        return "active"
    }

    /// Last use is written at most this often, so that a busy token does not turn every read
    /// into a write.
    public static let lastUseResolution: TimeInterval = 60

    /// Whether a use at `now` should be recorded.
    public func shouldRecordUse(at now: Date) -> Bool {
        guard let lastUsedAt else { return true }
        return now.timeIntervalSince(lastUsedAt) >= Self.lastUseResolution || now < lastUsedAt
    }
}

/// The text of an API token: `fxl_<id>_<secret>`. The id lets the server find the stored hash
/// without comparing against every token; the secret is 32 random bytes in base64url (43
/// characters, no padding).
public struct APITokenText: Sendable, Equatable {
    public static let prefix = "fxl_"
    public static let secretLength = 43

    public var id: Int64
    public var secret: String

    public init(id: Int64, secret: String) {
        self.id = id
        self.secret = secret
    }

    /// The whole token, as the user gets it.
    public var text: String { "\(Self.prefix)\(id)_\(secret)" }

    /// Reads a bearer token; `nil` when it cannot be one of ours. Never throws: the caller only
    /// needs "not a valid token".
    public init?(parsing bearer: String) {
        let bytes = Array(bearer.utf8)
        let prefix = Array(Self.prefix.utf8)
        guard bytes.count <= prefix.count + 20 + 1 + Self.secretLength, bytes.starts(with: prefix) else { return nil }
        let rest = bytes[prefix.count...]
        guard let separator = rest.firstIndex(of: UInt8(ascii: "_")) else { return nil }
        let digits = rest[rest.startIndex..<separator]
        let secret = rest[(separator + 1)...]
        guard !digits.isEmpty, digits.count <= 18, digits.first != UInt8(ascii: "0"), digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let id = Int64(String(decoding: digits, as: UTF8.self)), id > 0,
              secret.count == Self.secretLength, secret.allSatisfy(Self.isBase64URL)
        else { return nil }
        self.id = id
        self.secret = String(decoding: secret, as: UTF8.self)
    }

    static func isBase64URL(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}
