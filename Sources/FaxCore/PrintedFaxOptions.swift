/// What the control fields of a printed document ask for (see `ControlFieldScanner`):
///
/// - `@@+FAX:NUMBER@@` — a number to send to; one per field, several fields for several
///   numbers (one broadcast). Written as `faxline send -d` takes it (`+1 (555) 010-0100`).
/// - `@@+PRIO:high|normal|low|0…255@@` — the job's priority (high 63, normal 127, low 190).
/// - `@@+NOTIFY:yes|no|requeue|ADDRESS@@` — mail the printing user (`yes`, the default), nobody,
///   the user also when the job is requeued, or this address.
/// - `@@+TAG:text@@` — the sender's own reference (`JobTag`), stored with the jobs.
///
/// Other names are not errors (pascom knows more), but are reported; every field is removed
/// from the pages whatever its name.
public struct PrintedFaxOptions: Sendable, Equatable {
    public enum Notification: Sendable, Equatable {
        case user
        case userAlsoWhenRequeued
        case nobody
        case address(String)
    }

    /// As dialed (`FaxNumber`), each once, in the document's order.
    public var numbers: [String] = []
    public var priority: Int?
    public var notification = Notification.user
    public var tag: JobTag?
    /// Names of fields this version does not know, each once.
    public var unknownFields: [String] = []

    public static let highPriority = 63

    public init() {}

    /// Reads the fields; a field whose value is wrong (a number that is none, a priority out of
    /// range) is an error that names it: a fax to a misread number is worse than none.
    public init(fields: [ControlFieldScanner.Field]) throws(FaxValidationError) {
        for field in fields {
            switch field.name {
            case "FAX":
                let number = try FaxNumber.normalized(field.value, field: "fax number in @@+FAX:…@@")
                if !numbers.contains(number) { numbers.append(number) }
            case "PRIO":
                priority = try Self.priority(field.value)
            case "NOTIFY":
                notification = try Self.notification(field.value)
            case "TAG":
                tag = try JobTag.optional(field.value, field: "@@+TAG:…@@")
            default:
                if !unknownFields.contains(field.name) { unknownFields.append(field.name) }
            }
        }
    }

    static func priority(_ text: String) throws(FaxValidationError) -> Int {
        switch text.lowercased() {
        case "high", "urgent": return highPriority
        case "normal": return Job.defaultPriority
        case "low", "bulk": return Job.bulkPriority
        default:
            guard let value = Int(text), (0...255).contains(value) else {
                throw FaxValidationError(field: "@@+PRIO:…@@", reason: "\(FieldRules.quoted(text)) is not high, normal, low or 0 to 255")
            }
            return value
        }
    }

    static func notification(_ text: String) throws(FaxValidationError) -> Notification {
        switch text.lowercased() {
        case "yes", "on", "done", "": return .user
        case "no", "off", "none": return .nobody
        case "requeue", "all": return .userAlsoWhenRequeued
        default:
            do {
                try EmailAddress.validate(text)
            } catch {
                throw FaxValidationError(field: "@@+NOTIFY:…@@", reason: "\(FieldRules.quoted(text)) is not yes, no, requeue or an e-mail address")
            }
            return .address(text)
        }
    }
}
