/// Collects environment lines until the empty line that ends them.
///
/// Feed it the lines from an ``AGILineDecoder``; it returns the environment at the empty line.
public struct AGIEnvironmentParser: Sendable {
    public struct Limits: Sendable, Hashable {
        public var maximumLineLength: Int
        public var maximumLines: Int
        public var maximumBytes: Int

        public init(maximumLineLength: Int = 2048, maximumLines: Int = 128, maximumBytes: Int = 32 * 1024) {
            self.maximumLineLength = maximumLineLength
            self.maximumLines = maximumLines
            self.maximumBytes = maximumBytes
        }
    }

    public let limits: Limits
    private var variables: [AGIEnvironment.Variable] = []
    private var seenKeys: Set<String> = []
    private var bytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Takes one line (without its terminator). Returns the environment once the empty line arrives.
    public mutating func feed(line: String) throws -> AGIEnvironment? {
        if line.isEmpty {
            return try AGIEnvironment(variables)
        }
        let length = line.utf8.count
        guard length <= limits.maximumLineLength else {
            throw AGIProtocolError.lineTooLong(limit: limits.maximumLineLength)
        }
        guard variables.count < limits.maximumLines else {
            throw AGIProtocolError.tooManyEnvironmentLines(limit: limits.maximumLines)
        }
        bytes += length + 1
        guard bytes <= limits.maximumBytes else {
            throw AGIProtocolError.environmentTooLarge(limit: limits.maximumBytes)
        }
        guard let colon = line.firstIndex(of: ":") else {
            throw AGIProtocolError.environmentLineWithoutColon(line)
        }
        let key = String(line[..<colon])
        guard AGIEnvironment.isValidKey(key) else {
            throw AGIProtocolError.invalidEnvironmentKey(key)
        }
        guard seenKeys.insert(key).inserted else {
            throw AGIProtocolError.duplicateEnvironmentKey(key)
        }
        // Asterisk writes "key: value"; only that one space is the separator, the rest is value.
        var value = line[line.index(after: colon)...]
        if value.first == " " {
            value = value.dropFirst()
        }
        variables.append(AGIEnvironment.Variable(key: key, value: String(value)))
        return nil
    }
}
