import Foundation

public enum MailDeliveryState: String, Sendable, Codable, CaseIterable {
    case pending, sending, delivered, failed
}

/// One email of a fax to one address, retried until delivered or given up.
public struct MailDelivery: Sendable, Codable, Equatable {
    public var id: Int64
    public var faxID: String
    public var recipient: String
    public var format: DeliveryFormat
    public var state: MailDeliveryState
    /// Attempts started so far.
    public var attempts: Int
    /// When a pending delivery is due; `nil` once it is no longer pending.
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var deliveredAt: Date?
    public var createdAt: Date

    public init(
        id: Int64, faxID: String, recipient: String, format: DeliveryFormat, state: MailDeliveryState, attempts: Int,
        nextAttemptAt: Date?, lastError: String?, deliveredAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.faxID = faxID
        self.recipient = recipient
        self.format = format
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.deliveredAt = deliveredAt
        self.createdAt = createdAt
    }
}

/// Who gets a fax by email, and in which format.
public struct MailRecipient: Sendable, Hashable, Codable {
    public var address: String
    public var format: DeliveryFormat

    public init(address: String, format: DeliveryFormat) {
        self.address = address
        self.format = format
    }

    /// The recipients for a fax routed to these devices (an address shared by two devices
    /// gets one mail, in the first device's format).
    public static func recipients(of devices: [FaxDevice]) -> [MailRecipient] {
        var seen = Set<String>()
        return devices.flatMap { device in
            device.emailAddresses.compactMap { address in
                seen.insert(address.lowercased()).inserted ? MailRecipient(address: address, format: device.deliveryFormat) : nil
            }
        }
    }
}
