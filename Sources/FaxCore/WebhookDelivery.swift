import Foundation

public enum WebhookDeliveryState: String, Sendable, Codable, CaseIterable {
    case pending, sending, delivered, failed
}

/// What an event is about, as it was when the event happened.
public enum WebhookSubject: Sendable, Equatable {
    case fax(FaxRecord)
    case job(Job)

    public var ownership: Ownership {
        switch self {
        case .fax(let fax): fax.ownership
        case .job(let job): job.ownership
        }
    }
}

/// One event on its way to one URL (a webhook's, or a job's callback URL): queued in the
/// transaction that made the event, retried until the receiver answers 2xx or the retry
/// policy gives up.
public struct WebhookDelivery: Sendable, Equatable {
    /// A UUID in lowercase; also the event id the receiver sees (the same on every attempt).
    public var id: String
    /// `nil` for a job's callback.
    public var webhookID: String?
    /// Where it goes: the webhook's URL, or the job's callback URL.
    public var url: String
    /// Who may see it: the webhook's owner, or the user who sent the job; `nil`: administrators.
    public var userID: Int64?
    /// The URL was set by someone who is not an administrator: it may reach only what
    /// `WebhookDestinationPolicy` allows such URLs.
    public var isRestricted: Bool
    public var event: WebhookEvent
    public var subject: WebhookSubject
    public var occurredAt: Date
    public var state: WebhookDeliveryState
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// The HTTP status of the last answer, when there was one.
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: Date?
    /// When it was queued (or replayed): the retries give up a day after.
    public var createdAt: Date

    public init(
        id: String, webhookID: String?, url: String, userID: Int64?, isRestricted: Bool, event: WebhookEvent, subject: WebhookSubject,
        occurredAt: Date, state: WebhookDeliveryState, attempts: Int, nextAttemptAt: Date?, lastStatus: Int?, lastError: String?,
        deliveredAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.webhookID = webhookID
        self.url = url
        self.userID = userID
        self.isRestricted = isRestricted
        self.event = event
        self.subject = subject
        self.occurredAt = occurredAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
    }

    public var faxID: String? {
        if case .fax(let fax) = subject { return fax.id }
        return nil
    }

    public var jobID: Int64? {
        if case .job(let job) = subject { return job.id }
        return nil
    }
}

/// Which deliveries to list, newest first.
public struct WebhookDeliveryQuery: Sendable, Equatable {
    /// Only these users' deliveries; `nil`: everyone's.
    public var userID: Int64?
    public var webhookID: String?
    public var state: WebhookDeliveryState?
    public var limit: Int

    public init(userID: Int64? = nil, webhookID: String? = nil, state: WebhookDeliveryState? = nil, limit: Int = 100) {
        self.userID = userID
        self.webhookID = webhookID
        self.state = state
        self.limit = limit
    }
}
