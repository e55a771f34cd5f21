import FaxCore
import Foundation

/// `[print]` in faxline.conf: how print-to-fax (the CUPS backend `faxline-cups`) names the
/// Faxline user a print job is sent as.
public struct PrintSettings: Sendable, Equatable {
    /// Print (Unix) user name → Faxline login name, for the names that differ
    /// (`users = jdoe:john, mmuster:max`). Everyone else is the Faxline user of the same name.
    public var users: [String: String] = [:]

    public init() {}

    /// The Faxline login name for a print job's user; `nil` for a name no Faxline user can have.
    public func faxlineUser(forPrintUser name: String) -> String? {
        if let mapped = users[name] { return mapped }
        return (try? User.validateName(name)) != nil ? name : nil
    }

    static let maximumUsers = 10_000
    /// CUPS passes the name the client gave: at most this long, printable, no spaces.
    static let maximumPrintUserLength = 255
}

extension FaxlineConfiguration {
    /// `[print]` entries.
    mutating func applyPrintSetting(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        switch entry.key {
        case "users":
            var users: [String: String] = [:]
            for pair in entry.value.split(separator: ",") {
                let parts = pair.split(separator: ":", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= PrintSettings.maximumPrintUserLength,
                      parts[0].unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
                else { throw bad("expected print-name:faxline-user pairs separated by commas, not \(pair)") }
                do {
                    try User.validateName(parts[1])
                } catch {
                    throw bad("\(parts[1]) is not a Faxline user name (\(error))")
                }
                guard users.updateValue(parts[1], forKey: parts[0]) == nil else { throw bad("\(parts[0]) is mapped twice") }
            }
            guard users.count <= PrintSettings.maximumUsers else { throw bad("at most \(PrintSettings.maximumUsers) users") }
            printing.users = users
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }
}
