import FaxCore
import Webhooks

/// The `[webhooks]` settings.
public struct WebhookSettings: Sendable, Equatable {
    /// Where URLs of users who are not administrators may point (`allow`): public addresses,
    /// and what is listed.
    public var destinations = WebhookDestinationPolicy.publicOnly
    /// Signs job callbacks (`callback_secret`); `nil`: the one the database made at random.
    public var callbackSecret: Secret?
    /// A post that has not been answered in this time is retried later (`timeout`, seconds).
    public var timeout: Duration = .seconds(10)
    public var retry = DeliveryRetryPolicy.webhooks
    /// How often the queue is looked at besides when an event was queued.
    public var pollInterval: Duration = .seconds(5)

    public init() {}
}

extension FaxlineConfiguration {
    /// `[webhooks]` entries.
    mutating func applyWebhookSetting(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        switch entry.key {
        case "allow":
            do {
                webhooks.destinations = try WebhookDestinationPolicy(parsing: entry.value)
            } catch {
                throw bad(error.description)
            }
        case "callback_secret":
            guard entry.value.isEmpty
                || (WebhookSecretText.minimumLength...WebhookSecretText.maximumLength).contains(entry.value.count)
            else {
                throw bad("expected \(WebhookSecretText.minimumLength) to \(WebhookSecretText.maximumLength) characters, or nothing for the stored one")
            }
            webhooks.callbackSecret = entry.value.isEmpty ? nil : Secret(entry.value)
        case "timeout":
            guard let seconds = Int(entry.value), (1...120).contains(seconds) else { throw bad("expected seconds in 1...120") }
            webhooks.timeout = .seconds(seconds)
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }
}
