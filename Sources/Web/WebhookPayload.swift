import FaxCore
import Foundation

/// A webhook's body (`WebhookEventBody` in openapi.yaml): the event, when it happened, its ids,
/// and the fax or job as the API shows it (`FaxSummary`, `Job`) as it was at that moment. The
/// same delivery always gives the same bytes (sorted keys), so every retry carries the body
/// that was first signed.
public enum WebhookPayload {
    public static func body(of delivery: WebhookDelivery) throws -> [UInt8] {
        guard let event = Components.Schemas.WebhookEvent(rawValue: delivery.event.rawValue) else {
            throw FaxValidationError(field: "event", reason: "\(delivery.event.rawValue) is not in the API")
        }
        var body = Components.Schemas.WebhookEventBody(id: delivery.id, event: event, time: delivery.occurredAt)
        switch delivery.subject {
        case .fax(let fax):
            body.faxId = fax.id
            body.fax = Components.Schemas.FaxSummary(fax)
        case .job(let job):
            body.jobId = job.id
            body.job = Components.Schemas.Job(job)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(body))
    }
}
