/// A message that cannot be read from or written to the AMI wire.
public enum AMIWireError: Error, Equatable, Sendable, CustomStringConvertible {
    case lineTooLong(limit: Int)
    case tooManyFields(limit: Int)
    case messageTooLarge(limit: Int)
    case notAnAMIBanner(String)
    /// The connection ended in the middle of a message.
    case truncatedMessage
    case emptyKey
    case invalidKey(String)
    case invalidValue(key: String, reason: String)
    case emptyMessage

    public var description: String {
        switch self {
        case .lineTooLong(let limit):
            return "AMI line longer than \(limit) bytes"
        case .tooManyFields(let limit):
            return "AMI message with more than \(limit) fields"
        case .messageTooLarge(let limit):
            return "AMI message larger than \(limit) bytes"
        case .notAnAMIBanner(let line):
            return "peer is not an Asterisk manager: first line was \"\(line.prefix(80))\""
        case .truncatedMessage:
            return "AMI connection ended in the middle of a message"
        case .emptyKey:
            return "AMI field with an empty key"
        case .invalidKey(let key):
            return "AMI key \"\(key.prefix(80).debugDescription.dropFirst().dropLast())\" has characters a key cannot have"
        case .invalidValue(let key, let reason):
            return "AMI value of \(key) rejected: \(reason)"
        case .emptyMessage:
            return "AMI message without fields"
        }
    }
}
