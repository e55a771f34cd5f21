import Documents
import Foundation
import FaxCore
import Mail

/// What a mail asks of its fax, by `X-Fax-*` headers or by keywords in square brackets in the
/// subject (`[urgent] [fine] [nocover] Invoice 42`): priority, resolution, cover page,
/// notification; the job's tag by `X-Fax-Tag` only (free text is no keyword). Keywords are taken out of the subject the cover page shows; anything not
/// understood is a clear error, never silently ignored.
public struct MailFaxOptions: Sendable, Equatable {
    public var priority: Int?
    public var resolution: FaxResolution?
    public var cover: Bool?
    public var notify: Bool?
    public var tag: JobTag?
    /// The subject without its keywords.
    public var subject: String

    public static let keywords = ["urgent", "high", "normal", "low", "bulk", "standard", "fine", "superfine",
                                  "cover", "nocover", "notify", "nonotify"]

    /// `headers` holds the values of the message's `X-Fax-Priority`, `X-Fax-Resolution`,
    /// `X-Fax-Cover`, `X-Fax-Notify` and `X-Fax-Tag` fields as received (nil where absent);
    /// headers win over keywords.
    public init(subject: String?, header: (String) -> String?) throws(MailFaxOptionError) {
        var remaining: [Substring] = []
        var words: [String] = []
        for word in (subject ?? "").split(separator: " ", omittingEmptySubsequences: true) {
            if word.count > 2, word.first == "[", word.last == "]", Self.keywords.contains(word.dropFirst().dropLast().lowercased()) {
                words.append(word.dropFirst().dropLast().lowercased())
            } else {
                remaining.append(word)
            }
        }
        self.subject = remaining.joined(separator: " ")
        for word in words {
            switch word {
            case "urgent", "high", "normal", "low", "bulk": priority = try Self.priority(word)
            case "standard", "fine", "superfine": resolution = FaxResolution(rawValue: word)
            case "cover": cover = true
            case "nocover": cover = false
            case "notify": notify = true
            case "nonotify": notify = false
            default: break
            }
        }
        if let value = header("X-Fax-Priority") { priority = try Self.priority(value) }
        if let value = header("X-Fax-Resolution") {
            guard let resolution = FaxResolution(rawValue: value.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw MailFaxOptionError(header: "X-Fax-Resolution", value: value, expected: "standard, fine or superfine")
            }
            self.resolution = resolution
        }
        if let value = header("X-Fax-Cover") { cover = try Self.yesOrNo(value, header: "X-Fax-Cover") }
        if let value = header("X-Fax-Notify") { notify = try Self.yesOrNo(value, header: "X-Fax-Notify") }
        if let value = header("X-Fax-Tag") { tag = try Self.tag(value) }
    }

    /// RFC 2047 words decoded (a tag may be `Angebot Müller`); a tab left by folding is a
    /// space, any other control character refuses the mail rather than being dropped unseen.
    static func tag(_ value: String) throws(MailFaxOptionError) -> JobTag? {
        do {
            return try JobTag.optional(EncodedWords.decode(value).replacingOccurrences(of: "\t", with: " "), field: "X-Fax-Tag")
        } catch {
            throw MailFaxOptionError(
                header: "X-Fax-Tag", value: value, expected: "1 to \(JobTag.maximumLength) characters without control characters")
        }
    }

    /// Words or 0…255 (0 first); bulk is after everything else.
    static func priority(_ text: String) throws(MailFaxOptionError) -> Int {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch word {
        case "urgent", "high": return 64
        case "normal": return Job.defaultPriority
        case "low": return 160
        case "bulk": return 200
        default:
            guard let number = Int(word), (0...255).contains(number) else {
                throw MailFaxOptionError(header: "X-Fax-Priority", value: text, expected: "high, normal, low, bulk or 0 to 255")
            }
            return number
        }
    }

    static func yesOrNo(_ text: String, header: String) throws(MailFaxOptionError) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw MailFaxOptionError(header: header, value: text, expected: "yes or no")
        }
    }
}

public struct MailFaxOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let header: String
    public let value: String
    public let expected: String

    public var description: String {
        "\(header): \(UntrustedText.cleaned(String(value.prefix(60)))) is not understood (expected \(expected))"
    }
}
