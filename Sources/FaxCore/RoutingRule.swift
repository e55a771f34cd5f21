/// One user rule of the routing table: when a call's DID and caller number match, deliver to a
/// device or refuse the call.
public struct RoutingRule: Sendable, Codable, Equatable {
    public enum Action: Sendable, Codable, Equatable {
        case deliver(toExtension: String)
        case reject
    }

    /// Assigned by the store; `nil` until the rule has been saved.
    public var id: Int64?
    /// 1 is evaluated first (right after the built-in device lookup).
    public var position: Int
    /// Matched against the call's DID (or the called extension when there is no DID); `nil`
    /// matches any.
    public var didPattern: DialPattern?
    /// `nil` matches any caller, including an anonymous one.
    public var callerPattern: DialPattern?
    public var action: Action
    /// Keep evaluating the rules below after this one matched, collecting more devices.
    public var continueAfterMatch: Bool
    public var isEnabled: Bool
    public var description: String

    public static let maximumDescriptionLength = 200

    public init(
        id: Int64? = nil, position: Int = 1, didPattern: DialPattern? = nil, callerPattern: DialPattern? = nil,
        action: Action, continueAfterMatch: Bool = false, isEnabled: Bool = true, description: String = ""
    ) throws {
        self.id = id
        self.position = position
        self.didPattern = didPattern
        self.callerPattern = callerPattern
        self.action = action
        self.continueAfterMatch = continueAfterMatch
        self.isEnabled = isEnabled
        self.description = description
        try validate()
    }

    public func validate() throws {
        guard position >= 1 else {
            throw FaxValidationError(field: "position", reason: "must be 1 or more (got \(position))")
        }
        switch action {
        case .deliver(let target): _ = try FieldRules.extensionNumber(target, field: "target extension")
        case .reject where continueAfterMatch:
            throw FaxValidationError(field: "continue", reason: "does not apply to a reject rule (a rejected call goes no further)")
        case .reject: break
        }
        guard description.count <= Self.maximumDescriptionLength, !FieldRules.hasControlCharacters(description) else {
            throw FaxValidationError(
                field: "description",
                reason: "must be at most \(Self.maximumDescriptionLength) characters without control characters")
        }
    }

    /// Whether the rule applies to a call (enabled or not: the router checks `isEnabled`).
    public func matches(did: String, callerNumber: String) -> Bool {
        (didPattern?.matches(did) ?? true) && (callerPattern?.matches(callerNumber) ?? true)
    }

    /// The target extension, `nil` for a reject rule.
    public var targetExtension: String? {
        if case .deliver(let target) = action { return target }
        return nil
    }

    /// What the rule matches and does, in a line: "DID 5550[1-3]XX → 201", "caller 1900. → reject".
    public var summary: String {
        var match: [String] = []
        if let didPattern { match.append("DID \(didPattern.text)") }
        if let callerPattern { match.append("caller \(callerPattern.text)") }
        let outcome = targetExtension.map { "→ \($0)" } ?? "→ reject"
        return (match.isEmpty ? "every call" : match.joined(separator: ", ")) + " " + outcome
    }
}

/// Whether faxing is on: globally and per device group (the device flag lives on the device).
/// A disable higher up wins over an enable below it.
public struct FaxEnableFlags: Sendable, Codable, Equatable {
    public var globallyEnabled: Bool
    public var disabledGroups: Set<String>

    public init(globallyEnabled: Bool = true, disabledGroups: Set<String> = []) {
        self.globallyEnabled = globallyEnabled
        self.disabledGroups = disabledGroups
    }

    public func isGroupEnabled(_ group: String) -> Bool { !disabledGroups.contains(group) }
}

/// Everything the router needs besides the devices, read from the store in one transaction.
public struct RoutingTable: Sendable, Codable, Equatable {
    /// User rules; the router evaluates them in `position` order whatever order they come in.
    public var rules: [RoutingRule]
    /// Where faxes go that no device lookup or rule claimed; `nil` refuses them.
    public var defaultExtension: String?
    public var flags: FaxEnableFlags

    public init(rules: [RoutingRule] = [], defaultExtension: String? = nil, flags: FaxEnableFlags = FaxEnableFlags()) {
        self.rules = rules
        self.defaultExtension = defaultExtension
        self.flags = flags
    }
}
