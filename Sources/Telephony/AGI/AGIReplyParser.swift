import Foundation

/// Turns the lines Asterisk sends after the environment into ``AGIReply`` values.
///
/// Most replies are one line; `520-` usage text spans several, up to `520 End of proper usage.`.
public struct AGIReplyParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// The most usage lines accepted in one `520-` response.
        public var maximumUsageLines: Int

        public init(maximumUsageLines: Int = 64) {
            self.maximumUsageLines = maximumUsageLines
        }
    }

    public let limits: Limits
    /// Usage lines collected so far, while inside a `520-` response.
    private var usage: [String]?

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Takes one line (without its terminator); returns a reply when one is complete.
    public mutating func feed(line: String) throws -> AGIReply? {
        if var collected = usage {
            if line.hasPrefix("520 ") {
                usage = nil
                return .response(.invalidSyntax(usage: collected))
            }
            guard collected.count < limits.maximumUsageLines else {
                throw AGIProtocolError.usageTooLong(limit: limits.maximumUsageLines)
            }
            collected.append(line)
            usage = collected
            return nil
        }
        if line == "HANGUP" {
            return .hangup
        }
        let bytes = Array(line.utf8)
        guard bytes.count >= 4, bytes[0...2].allSatisfy(Self.isDigit) else {
            throw AGIProtocolError.malformedResponse(line)
        }
        let code = String(decoding: bytes[0...2], as: UTF8.self)
        let separator = bytes[3]
        let rest = String(decoding: bytes[4...], as: UTF8.self)
        switch (code, separator) {
        case ("200", UInt8(ascii: " ")):
            return .response(.success(try Self.parseSuccess(rest, line: line)))
        case ("510", UInt8(ascii: " ")):
            return .response(.invalidOrUnknownCommand)
        case ("511", UInt8(ascii: " ")):
            return .response(.notPermittedOnDeadChannel)
        case ("520", UInt8(ascii: " ")):
            return .response(.invalidSyntax(usage: []))
        case ("520", UInt8(ascii: "-")):
            usage = []
            return nil
        default:
            throw AGIProtocolError.malformedResponse(line)
        }
    }

    /// Parses `result=<int>[ (<data>)][ endpos=<int>]`.
    private static func parseSuccess(_ text: String, line: String) throws -> AGIResult {
        guard text.hasPrefix("result=") else {
            throw AGIProtocolError.malformedResponse(line)
        }
        let afterKey = text.dropFirst("result=".count)
        let numberEnd = afterKey.firstIndex(of: " ") ?? afterKey.endIndex
        guard let result = Self.integer(afterKey[..<numberEnd]) else {
            throw AGIProtocolError.malformedResponse(line)
        }
        var remainder = afterKey[numberEnd...]
        var endpos: Int?
        // endpos comes last; the data before it may itself contain spaces and parentheses.
        if let marker = remainder.range(of: " endpos=", options: .backwards) {
            guard let value = Self.integer(remainder[marker.upperBound...]) else {
                throw AGIProtocolError.malformedResponse(line)
            }
            endpos = value
            remainder = remainder[..<marker.lowerBound]
        }
        var data: String?
        if !remainder.isEmpty {
            guard remainder.hasPrefix(" ("), remainder.hasSuffix(")"), remainder.count >= 3 else {
                throw AGIProtocolError.malformedResponse(line)
            }
            data = String(remainder.dropFirst(2).dropLast())
        }
        return AGIResult(result: result, data: data, endpos: endpos)
    }

    private static func integer(_ text: Substring) -> Int? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : text
        guard !digits.isEmpty, digits.count <= 18, digits.utf8.allSatisfy(isDigit) else { return nil }
        return Int(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
