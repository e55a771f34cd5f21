import FaxCore
import Foundation

/// JSON text columns (address lists, extension lists, event logs).
enum StoreJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String, column: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreCorruption(what: "column \(column) holds bad JSON: \(ErrorWords.describe(error))")
        }
    }
}

/// A stored value the model cannot represent: the database was changed outside Faxline.
public struct StoreCorruption: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "database content is not valid: \(what)" }
}

func decodeEnum<T: RawRepresentable>(_ type: T.Type, _ raw: String, column: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: raw) else { throw StoreCorruption(what: "column \(column) holds \"\(raw)\"") }
    return value
}
