/// What a webhook is told about. Each is one change of a fax's or a job's state; the rule that
/// maps a change to its event is here and nowhere else (the store asks it in the transaction
/// that makes the change).
public enum WebhookEvent: String, Sendable, Codable, CaseIterable, Comparable {
    case faxReceived = "fax.received"
    case jobQueued = "job.queued"
    case jobRequeued = "job.requeued"
    case jobDone = "job.done"
    case jobFailed = "job.failed"

    /// The event of a job going from `old` (`nil`: just submitted) to `new`, if it makes one.
    /// A job put back in the queue because the Asterisk manager went away (dialing → queued) was
    /// never tried: no event; a retried job (failed or killed → queued) is queued again.
    public static func ofJob(from old: JobState?, to new: JobState) -> WebhookEvent? {
        guard old != new else { return nil }
        switch new {
        case .queued: return old == nil || old?.isFinal == true ? .jobQueued : nil
        case .requeued: return .jobRequeued
        case .done: return .jobDone
        case .failed: return .jobFailed
        case .dialing, .sending, .killed: return nil
        }
    }

    /// The event of a fax record going from `old` (`nil`: new) to its state now: a received fax
    /// that was filed with pages (received, or partial) for the first time.
    public static func ofFax(from old: FaxStatus?, to fax: FaxRecord) -> WebhookEvent? {
        let filed: Set<FaxStatus> = [.received, .partial]
        guard fax.direction == .received, filed.contains(fax.status), !(old.map(filed.contains) ?? false) else { return nil }
        return .faxReceived
    }

    public static func < (lhs: WebhookEvent, rhs: WebhookEvent) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// A comma-separated list as people write it (`job.done,job.failed`); empty: every event.
    public static func parseList(_ text: String) throws(FaxValidationError) -> Set<WebhookEvent> {
        var events = Set<WebhookEvent>()
        for word in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let event = WebhookEvent(rawValue: String(word)) else {
                throw FaxValidationError(
                    field: "events",
                    reason: "\(FieldRules.quoted(String(word))) is not an event (\(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            events.insert(event)
        }
        return events
    }
}
