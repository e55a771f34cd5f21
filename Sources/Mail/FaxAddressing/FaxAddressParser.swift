/// Finds the fax number in a recipient address, in the forms other fax gateways use:
///
/// - `NUMBER@fax.example.com` — the local part is the number, for each configured domain
///   (XMedius, Faxination);
/// - `name@NUMBER.fax` — the number is the domain before the `.fax` pseudo top-level domain
///   (pascom, HylaFAX);
/// - `[FAX:NUMBER]` or `[FAX:name@NUMBER]` in the local part, any domain (Exchange);
/// - `FAX=NUMBER` as the local part, any domain.
///
/// The number text keeps its separators (`(555) 010-0100`, `+1 555 010 0100`, dots, dashes):
/// turning it into digits is the job of the project's shared number rule, passed in to
/// ``resolve(_:numberRule:)`` — this type only decides whether, and where, an address holds one.
public struct FaxAddressParser: Sendable, Hashable {
    /// Domains whose every local part is a fax number; compared without case.
    public let domains: Set<String>
    /// Whether `name@NUMBER.fax` is accepted.
    public let acceptsFaxPseudoDomain: Bool
    /// Whether `[FAX:NUMBER]` and `FAX=NUMBER` local parts are accepted on any domain.
    public let acceptsTaggedLocalParts: Bool

    public init(domains: [String], acceptsFaxPseudoDomain: Bool = true, acceptsTaggedLocalParts: Bool = true) {
        self.domains = Set(domains.map(Self.normalizedDomain).filter { !$0.isEmpty })
        self.acceptsFaxPseudoDomain = acceptsFaxPseudoDomain
        self.acceptsTaggedLocalParts = acceptsTaggedLocalParts
    }

    /// Longest number text accepted; real numbers with separators stay far below.
    public static let maximumNumberTextLength = 40

    public func parse(_ mailbox: SMTPMailbox) -> FaxAddressParseResult {
        parse(localPart: mailbox.localPart, domain: mailbox.domain)
    }

    /// `local@domain` as a string (from a pipe's command line): split at the last `@`, a
    /// quoted local part unquoted.
    public func parse(address: String) -> FaxAddressParseResult {
        guard let at = address.lastIndex(of: "@") else { return .notFax }
        var local = Substring(address[..<at])
        if local.count >= 2, local.first == "\"", local.last == "\"" {
            local = local.dropFirst().dropLast()
        }
        return parse(localPart: String(local), domain: String(address[address.index(after: at)...]))
    }

    public func parse(localPart: String, domain: String) -> FaxAddressParseResult {
        let trimmedLocal = localPart.trimmingSpaces()
        if acceptsTaggedLocalParts {
            if let tagged = Self.bracketTag(in: trimmedLocal) {
                var name: String?
                var number = tagged
                if let at = tagged.lastIndex(of: "@") {
                    name = String(tagged[..<at].trimmingSpaces())
                    number = tagged[tagged.index(after: at)...]
                }
                return result(number, form: .bracketTag, name: name?.isEmpty == false ? name : nil)
            }
            if trimmedLocal.count > 4, trimmedLocal.prefix(4).uppercased() == "FAX=" {
                return result(trimmedLocal.dropFirst(4), form: .equalsTag, name: nil)
            }
        }
        let domain = Self.normalizedDomain(domain)
        if acceptsFaxPseudoDomain, domain.hasSuffix(".fax"), domain.count > 4 {
            let name = trimmedLocal.isEmpty ? nil : String(trimmedLocal)
            return result(Substring(domain.dropLast(4)), form: .numberAtFaxDomain, name: name)
        }
        if domains.contains(domain) {
            return result(trimmedLocal, form: .numberAtDomain, name: nil)
        }
        return .notFax
    }

    /// The parsed address with the number turned into the caller's number type by
    /// `numberRule` — the project's shared rule (digits, `+`, dialling prefixes), which also
    /// says why a number is refused.
    public func resolve<Number>(_ mailbox: SMTPMailbox, numberRule: (String) throws -> Number) -> FaxRecipientResolution<Number> {
        switch parse(mailbox) {
        case .notFax:
            return .notFax
        case .invalidNumber(let form, let text):
            return .invalidNumber(form: form, text: text, reason: "it is not a phone number")
        case .fax(let address):
            do {
                return .fax(address, try numberRule(address.numberText))
            } catch {
                return .invalidNumber(form: address.form, text: address.numberText, reason: "\(error)")
            }
        }
    }

    private func result(_ text: Substring, form: FaxAddressForm, name: String?) -> FaxAddressParseResult {
        let text = text.trimmingSpaces()
        guard Self.looksLikeNumber(text) else { return .invalidNumber(form: form, text: String(text.prefix(Self.maximumNumberTextLength))) }
        return .fax(FaxAddress(numberText: String(text), form: form, recipientName: name))
    }

    /// Digits with the separators people write: `+`, spaces, `()`, `-`, `.`, `/`. At least one
    /// digit; nothing else — a name in the number's place is no fax address.
    static func looksLikeNumber(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= maximumNumberTextLength, text.contains(where: \.isASCIIDigit) else { return false }
        return text.allSatisfy { $0.isASCIIDigit || "+ ()-./".contains($0) }
    }

    /// The text inside `[FAX:…]` (case-insensitive tag) when the local part holds one.
    private static func bracketTag(in local: Substring) -> Substring? {
        guard let open = local.firstIndex(of: "["), let close = local[open...].firstIndex(of: "]") else { return nil }
        let inside = local[local.index(after: open)..<close]
        guard inside.count >= 4, inside.prefix(4).uppercased() == "FAX:" else { return nil }
        return inside.dropFirst(4)
    }

    private static func normalizedDomain(_ domain: String) -> String {
        var domain = domain.trimmingSpaces().lowercased()
        while domain.hasSuffix(".") { domain.removeLast() }
        return domain
    }
}

/// Which addressing form an address used.
public enum FaxAddressForm: String, Sendable, Hashable, CaseIterable {
    /// `NUMBER@fax.example.com`
    case numberAtDomain
    /// `name@NUMBER.fax`
    case numberAtFaxDomain
    /// `[FAX:NUMBER]@…`
    case bracketTag
    /// `FAX=NUMBER@…`
    case equalsTag
}

/// A recipient address that names a fax number.
public struct FaxAddress: Sendable, Hashable {
    /// The number as written, separators kept, spaces around it trimmed.
    public let numberText: String
    public let form: FaxAddressForm
    /// A person's name the address carried (`name@NUMBER.fax`, `[FAX:name@NUMBER]`).
    public let recipientName: String?

    public init(numberText: String, form: FaxAddressForm, recipientName: String?) {
        self.numberText = numberText
        self.form = form
        self.recipientName = recipientName
    }
}

public enum FaxAddressParseResult: Sendable, Hashable {
    case fax(FaxAddress)
    /// Not addressed to a fax number: for the listener, a relay attempt.
    case notFax
    /// Addressed in a fax form, but what stands for the number is not one.
    case invalidNumber(form: FaxAddressForm, text: String)
}

/// A recipient after the number rule.
public enum FaxRecipientResolution<Number> {
    case fax(FaxAddress, Number)
    case notFax
    case invalidNumber(form: FaxAddressForm, text: String, reason: String)

    /// The SMTP answer for a recipient that cannot be faxed; `nil` for a fax recipient.
    public var refusal: SMTPPolicyDecision? {
        switch self {
        case .fax:
            return nil
        case .notFax:
            return .relayDenied
        case .invalidNumber(_, let text, let reason):
            return .refuse(SMTPServerReply(550, .init(5, 1, 1), "\"\(text)\" is not a fax number this server can dial: \(reason)"))
        }
    }
}

extension FaxRecipientResolution: Sendable where Number: Sendable {}
