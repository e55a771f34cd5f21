import Foundation

/// A URL that is told about faxes and jobs: global (set up by an administrator, told about
/// everything) or a user's (told about what that user may see, `AccessPolicy.listScope`).
public struct Webhook: Sendable, Equatable {
    /// A UUID in lowercase; people name it by its first characters.
    public var id: String
    public var url: String
    /// Signs each body (`WebhookSignature`); kept as is because signing needs it.
    public var secret: Secret
    /// `nil`: a global webhook.
    public var userID: Int64?
    /// The owner's login name, filled in by the store for lists.
    public var userName: String?
    /// Empty: every event.
    public var events: Set<WebhookEvent>
    public var createdAt: Date

    public init(id: String = UUID().uuidString.lowercased(), url: String, secret: Secret, userID: Int64? = nil,
                userName: String? = nil, events: Set<WebhookEvent> = [], createdAt: Date) throws(FaxValidationError) {
        self.id = id
        self.url = try WebhookURL.validate(url)
        guard (WebhookSecretText.minimumLength...WebhookSecretText.maximumLength).contains(secret.revealed.count),
              FieldRules.isPrintableASCII(secret.revealed), !secret.revealed.contains(" ")
        else {
            throw FaxValidationError(
                field: "secret",
                reason: "must be \(WebhookSecretText.minimumLength) to \(WebhookSecretText.maximumLength) printable characters without spaces")
        }
        self.secret = secret
        self.userID = userID
        self.userName = userName
        self.events = events
        self.createdAt = createdAt
    }

    public var isGlobal: Bool { userID == nil }

    /// Whether this webhook is told about `event`.
    public func subscribes(to event: WebhookEvent) -> Bool { events.isEmpty || events.contains(event) }

    /// Whether this webhook is told about a fax or job owned so, when its owner is `owner`
    /// (`nil` for a global webhook). A disabled owner's webhooks hear nothing.
    public func receives(_ event: WebhookEvent, about ownership: Ownership, owner: User?) -> Bool {
        guard subscribes(to: event) else { return false }
        guard let owner else { return isGlobal }
        return AccessPolicy.listScope(for: Principal(user: owner, credential: .password)).includes(ownership)
    }
}

/// Webhook and callback signing secrets: what is accepted, and new ones.
public enum WebhookSecretText {
    public static let minimumLength = 16
    public static let maximumLength = 200

    /// 32 random bytes in hexadecimal, after `whsec_` so that people recognise it.
    public static func generate() -> Secret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Secret("whsec_" + bytes.map { String(format: "%02x", $0) }.joined())
    }
}

/// The rules for a webhook's or a job's callback URL: http or https, a host, no user name or
/// password in it (the secret signs; credentials in a URL end up in logs), no fragment, at most
/// 2,000 printable ASCII characters. Where it may point is `WebhookDestinationPolicy`'s business.
public enum WebhookURL {
    public static let maximumLength = 2000

    /// The URL as stored (the scheme and host lowercased), or an error naming what is wrong.
    public static func validate(_ text: String, field: String = "url") throws(FaxValidationError) -> String {
        guard !text.isEmpty, text.count <= maximumLength, FieldRules.isPrintableASCII(text), !text.contains(" ") else {
            throw FaxValidationError(field: field, reason: "must be 1 to \(maximumLength) printable ASCII characters without spaces")
        }
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw FaxValidationError(field: field, reason: "\(FieldRules.quoted(text)) is not a URL")
        }
        guard scheme == "http" || scheme == "https" else {
            throw FaxValidationError(field: field, reason: "must start with http:// or https:// (not \(FieldRules.quoted(scheme)))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw FaxValidationError(field: field, reason: "\(FieldRules.quoted(text)) names no host")
        }
        guard components.user == nil, components.password == nil else {
            throw FaxValidationError(field: field, reason: "must not hold a user name or password (the signature proves the sender)")
        }
        guard components.fragment == nil else {
            throw FaxValidationError(field: field, reason: "must not have a #fragment")
        }
        components.scheme = scheme
        components.host = host.lowercased()
        guard let normalized = components.string else {
            throw FaxValidationError(field: field, reason: "\(FieldRules.quoted(text)) is not a URL")
        }
        return normalized
    }

    /// The host of a valid URL, without IPv6 brackets.
    public static func host(of url: String) -> String? {
        guard let host = URLComponents(string: url)?.host else { return nil }
        return host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
