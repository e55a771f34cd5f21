import FaxCore
import Foundation

extension FaxDatabase: DeviceRepository {
    public func devices() async throws -> [FaxDevice] { try await read { try $0.devices() } }
    public func device(extension number: String) async throws -> FaxDevice? {
        try await read { try $0.device(extension: number) }
    }
    public func addDevice(_ device: FaxDevice, retention: RetentionChange) async throws -> FaxDevice {
        try retention.validate()
        return try await write { transaction in
            let stored = try transaction.addDevice(device)
            if !retention.isEmpty { try transaction.changeDeviceRetention(retention, extension: stored.extensionNumber) }
            return stored
        }
    }
    public func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionChange) async throws
        -> FaxDevice
    {
        try retention.validate()
        return try await write { transaction in
            guard let device = try transaction.device(extension: number) else {
                throw RepositoryError.notFound("fax device \(number)")
            }
            if !retention.isEmpty { try transaction.changeDeviceRetention(retention, extension: number) }
            return try transaction.updateDevice(try device.applying(changes))
        }
    }
    public func updateDevice(_ device: FaxDevice) async throws -> FaxDevice {
        try await write { try $0.updateDevice(device) }
    }
    public func removeDevice(extension number: String) async throws {
        try await write { try $0.removeDevice(extension: number) }
    }
    public func setDeviceEnabled(_ enabled: Bool, extension number: String) async throws {
        try await write { try $0.setDeviceEnabled(enabled, extension: number) }
    }
}

extension FaxDatabase: RoutingRepository {
    public func routingTable() async throws -> RoutingTable { try await read { try $0.routingTable() } }
    public func addRule(_ rule: RoutingRule) async throws -> RoutingRule { try await write { try $0.addRule(rule) } }
    public func removeRule(id: Int64) async throws { try await write { try $0.removeRule(id: id) } }
    public func moveRule(id: Int64, to position: Int) async throws {
        try await write { try $0.moveRule(id: id, to: position) }
    }
    public func setRuleEnabled(_ enabled: Bool, id: Int64) async throws {
        try await write { try $0.setRuleEnabled(enabled, id: id) }
    }
    public func setDefaultExtension(_ number: String?) async throws {
        try await write { try $0.setDefaultExtension(number) }
    }
    public func setFaxingEnabled(_ enabled: Bool) async throws { try await write { try $0.setFaxingEnabled(enabled) } }
    public func setGroupEnabled(_ enabled: Bool, group: String) async throws {
        try await write { try $0.setGroupEnabled(enabled, group: group) }
    }
}

extension FaxDatabase: FaxRepository {
    public func insertFax(_ fax: FaxRecord) async throws { try await write { try $0.insertFax(fax) } }
    public func insertFaxes(_ faxes: [FaxRecord]) async throws {
        try await write { transaction in
            for fax in faxes { try transaction.insertFax(fax) }
        }
    }
    public func updateFax(_ fax: FaxRecord) async throws { try await write { try $0.updateFax(fax) } }
    public func fax(id: String) async throws -> FaxRecord? { try await read { try $0.fax(id: id) } }
    public func recentFaxes(_ query: FaxQuery) async throws -> [FaxRecord] {
        try await read { try $0.recentFaxes(query) }
    }
}

extension FaxDatabase: DeliveryRepository {
    public func enqueueDeliveries(faxID: String, recipients: [MailRecipient], at now: Date) async throws -> [MailDelivery] {
        try await write { try $0.enqueueDeliveries(faxID: faxID, recipients: recipients, at: now) }
    }
    public func dueDeliveries(at now: Date, limit: Int) async throws -> [MailDelivery] {
        try await read { try $0.dueDeliveries(at: now, limit: limit) }
    }
    public func markSending(id: Int64, at now: Date) async throws -> MailDelivery? {
        try await write { try $0.markSending(id: id, at: now) }
    }
    public func markDelivered(id: Int64, at now: Date) async throws {
        try await write { try $0.markDelivered(id: id, at: now) }
    }
    public func markFailed(id: Int64, error: String, nextAttemptAt: Date?) async throws {
        try await write { try $0.markFailed(id: id, error: error, nextAttemptAt: nextAttemptAt) }
    }
    public func deliveries(faxID: String) async throws -> [MailDelivery] {
        try await read { try $0.deliveries(faxID: faxID) }
    }
    public func recoverInterruptedDeliveries(at now: Date) async throws -> Int {
        try await write { try $0.recoverInterruptedDeliveries(at: now) }
    }
}
