import FaxCore
import Foundation

/// A request to place one outbound call with AMI `Originate` (always `Async: true`).
///
/// Every string here ends up in a manager action; the ones a sender controls (the number
/// inside `channel`, caller id, variable values) are checked by `makeAction`, which
/// refuses anything that could add a header, a variable or a second dial target.
public struct OriginateRequest: Sendable, Hashable {
    public struct Variable: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The dial string, e.g. `PJSIP/5550100@trunk`; see `AMIDialString.expand`.
    public var channel: String
    /// Sent as `ChannelId`: Asterisk (12 and later) gives the call's channel this Uniqueid,
    /// so the call can be told apart in events and hung up with `AMIClient.hangUp(channelID:)`.
    public var channelID: UUID
    public var context: String
    public var exten: String
    public var priority: Int
    public var callerID: AMICallerID?
    /// How long Asterisk lets the far end ring (`Timeout`, sent in milliseconds).
    public var dialTimeout: Duration
    /// Channel variables, one `Variable:` line each, e.g. `FAXLINE_SESSION=<uuid>`.
    public var variables: [Variable]
    public var account: String?

    public init(
        channel: String, channelID: UUID = UUID(), context: String, exten: String = "s", priority: Int = 1,
        callerID: AMICallerID? = nil, dialTimeout: Duration = .seconds(60), variables: [Variable] = [], account: String? = nil
    ) {
        self.channel = channel
        self.channelID = channelID
        self.context = context
        self.exten = exten
        self.priority = priority
        self.callerID = callerID
        self.dialTimeout = dialTimeout
        self.variables = variables
        self.account = account
    }

    /// The `Originate` action, validated.
    public func makeAction(actionID: String) throws(OriginateRequestError) -> AMIMessage {
        try Self.checkToken(channel, field: "Channel", allowed: { $0 != UInt8(ascii: ",") })
        guard channel.contains("/") else { throw .invalidField(field: "Channel", reason: "is not a dial string like PJSIP/number@trunk") }
        try Self.checkToken(context, field: "Context", allowed: Self.isDialplanNameByte)
        try Self.checkToken(exten, field: "Exten", allowed: Self.isDialplanNameByte)
        guard priority >= 1 else { throw .invalidField(field: "Priority", reason: "must be 1 or more") }
        let timeoutMilliseconds = dialTimeout.components.seconds * 1000 + dialTimeout.components.attoseconds / 1_000_000_000_000_000
        guard timeoutMilliseconds > 0 else { throw .invalidField(field: "Timeout", reason: "must be positive") }

        var action = AMIMessage([
            "Action": "Originate",
            "ActionID": actionID,
            "Channel": channel,
            "ChannelId": channelID.uuidString.lowercased(),
            "Context": context,
            "Exten": exten,
            "Priority": String(priority),
            "Timeout": String(timeoutMilliseconds),
        ])
        if let callerID {
            action.append("CallerID", try callerID.headerValue())
        }
        if let account {
            try Self.checkToken(account, field: "Account", allowed: { $0 != UInt8(ascii: ",") })
            action.append("Account", account)
        }
        for variable in variables {
            try Self.check(variable)
            action.append("Variable", "\(variable.name)=\(variable.value)")
        }
        action.append("Async", "true")
        do {
            try AMIEncoder.validate(action)
        } catch {
            throw .invalidField(field: "action", reason: error.description)
        }
        return action
    }

    private static func check(_ variable: Variable) throws(OriginateRequestError) {
        let nameBytes = Array(variable.name.utf8)
        let validName = !nameBytes.isEmpty && nameBytes.count <= 80
            && nameBytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "_") }
            && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(nameBytes[0])
        guard validName else { throw .invalidVariableName(variable.name) }
        // Asterisk splits each Variable value at commas into more name=value pairs and
        // strips quotes and backslashes (AST_STANDARD_APP_ARGS in manager.c), and `|` was
        // the separator of old releases: any of these would smuggle in another variable.
        for byte in variable.value.utf8 {
            if byte < 0x20 || byte == 0x7F {
                throw .invalidVariableValue(name: variable.name, reason: "contains a control character or line break")
            }
            if [UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: "\""), UInt8(ascii: "\\")].contains(byte) {
                throw .invalidVariableValue(name: variable.name, reason: "contains \(Character(Unicode.Scalar(byte)))")
            }
        }
    }

    private static func checkToken(_ value: String, field: String, allowed: (UInt8) -> Bool) throws(OriginateRequestError) {
        guard !value.isEmpty else { throw .invalidField(field: field, reason: "is empty") }
        for byte in value.utf8 where byte <= 0x20 || byte == 0x7F || !allowed(byte) {
            throw .invalidField(field: field, reason: "contains a space, control character or separator")
        }
    }

    private static func isDialplanNameByte(_ byte: UInt8) -> Bool {
        byte != UInt8(ascii: ",") && byte != UInt8(ascii: "|") && byte != UInt8(ascii: "\"")
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// Caller id for an outbound call: `"Name" <number>` on the wire.
public struct AMICallerID: Sendable, Hashable {
    public var name: String?
    public var number: String

    public init(name: String? = nil, number: String) {
        self.name = name
        self.number = number
    }

    /// The `CallerID` header value. The name is cleaned (quotes, angle brackets, backslashes
    /// and control characters dropped, at most 64 characters) because it is free text; the
    /// number is refused unless it is a phone number.
    public func headerValue() throws(OriginateRequestError) -> String {
        let number = try AMIDialString.normalizedNumber(self.number, field: "caller id number")
        let cleanName = Self.cleanedName(name ?? "")
        return cleanName.isEmpty ? "<\(number)>" : "\"\(cleanName)\" <\(number)>"
    }

    public static func cleanedName(_ name: String) -> String {
        let forbidden: Set<Character> = ["\"", "<", ">", "\\"]
        let kept = name.unicodeScalars.filter { scalar in
            !(scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator)
                && !forbidden.contains(Character(scalar))
        }
        var text = Substring(String(String.UnicodeScalarView(kept)))
        while text.first == " " { text = text.dropFirst() }
        text = text.prefix(64)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

/// Builds dial strings from a configured template and a number a sender gave.
public enum AMIDialString {
    public static let numberPlaceholder = "${NUMBER}"

    /// `expand(template: "PJSIP/${NUMBER}@trunk", number: "+1 (555) 010-0")` →
    /// `PJSIP/+15550100@trunk`. Spaces, dashes, dots and parentheses in the number are
    /// dropped; anything else but digits, `+`, `*` and `#` is refused, so a number can
    /// never add a second dial target (`&`), options (`,`) or another technology (`/`).
    public static func expand(template: String, number: String) throws(OriginateRequestError) -> String {
        guard template.contains(numberPlaceholder) else {
            throw .invalidField(field: "dial string template", reason: "has no \(numberPlaceholder)")
        }
        let normalized = try normalizedNumber(number, field: "number")
        var result = ""
        var rest = Substring(template)
        while let range = rest.firstRange(of: numberPlaceholder) {
            result += rest[..<range.lowerBound]
            result += normalized
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    public static func normalizedNumber(_ number: String, field: String) throws(OriginateRequestError) -> String {
        do {
            return try FaxNumber.normalized(number, field: field)
        } catch {
            throw .invalidNumber(field: field, number: number)
        }
    }
}

public enum OriginateRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidField(field: String, reason: String)
    case invalidNumber(field: String, number: String)
    case invalidVariableName(String)
    case invalidVariableValue(name: String, reason: String)

    public var description: String {
        switch self {
        case .invalidField(let field, let reason):
            return "Originate \(field) \(reason)"
        case .invalidNumber(let field, let number):
            return "\(field) \(number.prefix(40).debugDescription) is not a phone number (digits, +, *, # only)"
        case .invalidVariableName(let name):
            return "channel variable name \(name.prefix(40).debugDescription) is not letters, digits and _"
        case .invalidVariableValue(let name, let reason):
            return "value of channel variable \(name) \(reason)"
        }
    }
}
