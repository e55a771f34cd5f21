import FaxCore
import GRDB

/// A row of `routingRule`. Positions are kept contiguous from 1.
struct RoutingRuleRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "routingRule"

    var id: Int64?
    var position: Int
    var didPattern: String?
    var callerPattern: String?
    var action: String
    var targetExtension: String?
    var continueAfterMatch: Bool
    var isEnabled: Bool
    var description: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let position = Column(CodingKeys.position)
    }

    init(_ rule: RoutingRule) {
        id = rule.id
        position = rule.position
        didPattern = rule.didPattern?.text
        callerPattern = rule.callerPattern?.text
        switch rule.action {
        case .deliver(let target):
            action = "deliver"
            targetExtension = target
        case .reject:
            action = "reject"
            targetExtension = nil
        }
        continueAfterMatch = rule.continueAfterMatch
        isEnabled = rule.isEnabled
        description = rule.description
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func model() throws -> RoutingRule {
        let ruleAction: RoutingRule.Action
        switch (action, targetExtension) {
        case ("deliver", let target?): ruleAction = .deliver(toExtension: target)
        case ("reject", nil): ruleAction = .reject
        default: throw StoreCorruption(what: "routing rule \(id ?? 0) has action \"\(action)\" and target \(targetExtension ?? "none")")
        }
        return try RoutingRule(
            id: id, position: position, didPattern: didPattern.map(DialPattern.init),
            callerPattern: callerPattern.map(DialPattern.init), action: ruleAction,
            continueAfterMatch: continueAfterMatch, isEnabled: isEnabled, description: description)
    }
}

extension StoreTransaction {
    func routingTable() throws -> RoutingTable {
        let rules = try RoutingRuleRow.order(RoutingRuleRow.Columns.position, RoutingRuleRow.Columns.id).fetchAll(db)
            .map { try $0.model() }
        let settings = try Row.fetchOne(db, sql: "SELECT defaultExtension, faxingEnabled FROM routingSettings WHERE id = 1")
        let disabledGroups = try String.fetchSet(db, sql: "SELECT name FROM deviceGroup WHERE isEnabled = 0")
        return RoutingTable(
            rules: rules, defaultExtension: settings?["defaultExtension"],
            flags: FaxEnableFlags(globallyEnabled: settings?["faxingEnabled"] ?? true, disabledGroups: disabledGroups))
    }

    func rule(id: Int64) throws -> RoutingRule? {
        try RoutingRuleRow.fetchOne(db, key: id)?.model()
    }

    func addRule(_ rule: RoutingRule) throws -> RoutingRule {
        try rule.validate()
        if let target = rule.targetExtension { try requireDevice(target) }
        let count = try RoutingRuleRow.fetchCount(db)
        var row = RoutingRuleRow(rule)
        row.id = nil
        row.position = min(rule.position, count + 1)
        try db.execute(sql: "UPDATE routingRule SET position = position + 1 WHERE position >= ?", arguments: [row.position])
        try row.insert(db)
        return try row.model()
    }

    func removeRule(id: Int64) throws {
        guard let row = try RoutingRuleRow.fetchOne(db, key: id) else { throw RepositoryError.notFound("routing rule \(id)") }
        _ = try row.delete(db)
        try db.execute(sql: "UPDATE routingRule SET position = position - 1 WHERE position > ?", arguments: [row.position])
    }

    func moveRule(id: Int64, to position: Int) throws {
        guard position >= 1 else {
            throw FaxValidationError(field: "position", reason: "must be 1 or more (got \(position))")
        }
        guard let row = try RoutingRuleRow.fetchOne(db, key: id) else { throw RepositoryError.notFound("routing rule \(id)") }
        let target = min(position, try RoutingRuleRow.fetchCount(db))
        if target > row.position {
            try db.execute(
                sql: "UPDATE routingRule SET position = position - 1 WHERE position > ? AND position <= ?",
                arguments: [row.position, target])
        } else if target < row.position {
            try db.execute(
                sql: "UPDATE routingRule SET position = position + 1 WHERE position >= ? AND position < ?",
                arguments: [target, row.position])
        }
        try db.execute(sql: "UPDATE routingRule SET position = ? WHERE id = ?", arguments: [target, id])
    }

    func setRuleEnabled(_ enabled: Bool, id: Int64) throws {
        try db.execute(sql: "UPDATE routingRule SET isEnabled = ? WHERE id = ?", arguments: [enabled, id])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("routing rule \(id)") }
    }

    func setDefaultExtension(_ number: String?) throws {
        if let number { try requireDevice(number) }
        try db.execute(sql: "UPDATE routingSettings SET defaultExtension = ? WHERE id = 1", arguments: [number])
    }

    func setFaxingEnabled(_ enabled: Bool) throws {
        try db.execute(sql: "UPDATE routingSettings SET faxingEnabled = ? WHERE id = 1", arguments: [enabled])
    }

    func setGroupEnabled(_ enabled: Bool, group: String) throws {
        try FaxDevice.validateGroupName(group)
        try db.execute(
            sql: """
                INSERT INTO deviceGroup (name, isEnabled) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET isEnabled = excluded.isEnabled
                """,
            arguments: [group, enabled])
    }

    private func requireDevice(_ number: String) throws {
        let exists = try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM device WHERE extensionNumber = ?)", arguments: [number]) ?? false
        guard exists else { throw RepositoryError.notFound("fax device \(number)") }
    }
}
