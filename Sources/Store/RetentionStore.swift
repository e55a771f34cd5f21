import FaxCore
import Foundation
import GRDB

extension StoreTransaction {
    // MARK: - Overrides

    func retentionOverrides() throws -> RetentionOverrides {
        var overrides = RetentionOverrides()
        for row in try Row.fetchAll(db, sql: "SELECT extensionNumber, groupName, retentionDays, zeroRetention FROM device") {
            let number: String = row["extensionNumber"]
            if let group: String = row["groupName"] { overrides.deviceGroups[number] = group }
            let override = try RetentionOverride(days: row["retentionDays"], zeroRetention: row["zeroRetention"])
            if !override.isEmpty { overrides.devices[number] = override }
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT name, retentionDays, zeroRetention FROM deviceGroup WHERE retentionDays IS NOT NULL OR zeroRetention = 1")
        {
            overrides.groups[row["name"]] = try RetentionOverride(days: row["retentionDays"], zeroRetention: row["zeroRetention"])
        }
        return overrides
    }

    /// The device's own override (not its group's); `nil` when it has none.
    func deviceRetention(extension number: String) throws -> RetentionOverride? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT retentionDays, zeroRetention FROM device WHERE extensionNumber = ?", arguments: [number])
        else { throw RepositoryError.notFound("fax device \(number)") }
        let override = try RetentionOverride(days: row["retentionDays"], zeroRetention: row["zeroRetention"])
        return override.isEmpty ? nil : override
    }

    func changeDeviceRetention(_ change: RetentionChange, extension number: String) throws {
        try change.validate()
        try db.execute(
            sql: """
                UPDATE device SET
                  retentionDays = CASE WHEN ? THEN ? ELSE retentionDays END,
                  zeroRetention = coalesce(?, zeroRetention)
                WHERE extensionNumber = ?
                """,
            arguments: Self.retentionArguments(change) + [number])
        guard db.changesCount > 0 else { throw RepositoryError.notFound("fax device \(number)") }
    }

    func changeGroupRetention(_ change: RetentionChange, group: String) throws {
        try FaxDevice.validateGroupName(group)
        try change.validate()
        try db.execute(sql: "INSERT INTO deviceGroup (name, isEnabled) VALUES (?, 1) ON CONFLICT (name) DO NOTHING", arguments: [group])
        try db.execute(
            sql: """
                UPDATE deviceGroup SET
                  retentionDays = CASE WHEN ? THEN ? ELSE retentionDays END,
                  zeroRetention = coalesce(?, zeroRetention)
                WHERE name = ?
                """,
            arguments: Self.retentionArguments(change) + [group])
    }

    private static func retentionArguments(_ change: RetentionChange) -> StatementArguments {
        switch change.days {
        case .set(let days): [true, days, change.zeroRetention]
        case .clear: [true, nil, change.zeroRetention]
        case nil: [false, nil, change.zeroRetention]
        }
    }

    /// Every group that has a row (enabled flag or retention), by name.
    func groupRetentions() throws -> [GroupRetention] {
        try Row.fetchAll(db, sql: "SELECT name, retentionDays, zeroRetention FROM deviceGroup ORDER BY name").map { row in
            GroupRetention(group: row["name"], override: try RetentionOverride(days: row["retentionDays"], zeroRetention: row["zeroRetention"]))
        }
    }

    // MARK: - Fax purges

    func faxRetentionCandidates(olderThan cutoff: Date, after cursor: FaxRetentionCursor?, limit: Int) throws
        -> [FaxRetentionCandidate]
    {
        var sql = """
            SELECT id, direction, status, createdAt, finishedAt, deviceExtensions, deliveryState,
                   tiffPath, pdfPath, thumbnailPath
            FROM fax
            WHERE status NOT IN ('receiving', 'sending') AND purgeState IS NULL
              AND (createdAt < ? OR tiffPath IS NOT NULL OR pdfPath IS NOT NULL OR thumbnailPath IS NOT NULL)
            """
        var arguments: StatementArguments = [cutoff]
        if let cursor {
            sql += " AND (createdAt > ? OR (createdAt = ? AND id > ?))"
            arguments += [cursor.createdAt, cursor.createdAt, cursor.id]
        }
        sql += " ORDER BY createdAt, id LIMIT ?"
        arguments += [min(max(limit, 1), 10_000)]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
            try FaxRetentionCandidate(
                id: row["id"], direction: decodeEnum(FaxDirection.self, row["direction"], column: "fax.direction"),
                status: decodeEnum(FaxStatus.self, row["status"], column: "fax.status"),
                createdAt: row["createdAt"], finishedAt: row["finishedAt"],
                deviceExtensions: StoreJSON.decode([String].self, from: row["deviceExtensions"], column: "fax.deviceExtensions"),
                deliveryState: decodeEnum(FaxDeliveryState.self, row["deliveryState"], column: "fax.deliveryState"),
                files: Self.files(of: row))
        }
    }

    private static func files(of row: Row) throws -> [SpoolPath] {
        try ["tiffPath", "pdfPath", "thumbnailPath"].compactMap { column in
            try (row[column] as String?).map { try SpoolPath($0) }
        }
    }

    func markForPurge(_ purges: [FaxPurge]) throws -> [FaxPurge] {
        let statement = try db.cachedStatement(sql: """
            UPDATE fax SET purgeState = ?
            WHERE id = ? AND purgeState IS NULL AND status NOT IN ('receiving', 'sending') AND deliveryState <> 'pending'
            """)
        var marked: [FaxPurge] = []
        for purge in purges {
            try statement.execute(arguments: [purge.scope.rawValue, purge.faxID])
            if db.changesCount > 0 { marked.append(purge) }
        }
        return marked
    }

    /// Marks one fax for a manual deletion. Refuses a fax on the line; a fax still waiting for
    /// delivery only with `evenIfUndelivered`.
    func markForManualPurge(faxID: String, evenIfUndelivered: Bool) throws -> FaxPurge {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT status, deliveryState, purgeState, tiffPath, pdfPath, thumbnailPath FROM fax WHERE id = ?",
            arguments: [faxID.lowercased()])
        else { throw RepositoryError.notFound("fax \(faxID)") }
        let status: String = row["status"]
        if status == "receiving" || status == "sending" {
            throw RepositoryError.inUse("fax \(faxID) is on the line right now")
        }
        if row["deliveryState"] == "pending" && !evenIfUndelivered {
            throw RepositoryError.inUse("fax \(faxID) has not been delivered yet (use --force to delete it anyway)")
        }
        try db.execute(sql: "UPDATE fax SET purgeState = 'record' WHERE id = ?", arguments: [faxID.lowercased()])
        return FaxPurge(faxID: faxID.lowercased(), scope: .record, files: try Self.files(of: row))
    }

    func pendingPurges(limit: Int) throws -> [FaxPurge] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, purgeState, tiffPath, pdfPath, thumbnailPath FROM fax
                WHERE purgeState IS NOT NULL ORDER BY id LIMIT ?
                """,
            arguments: [min(max(limit, 1), 10_000)]
        ).map { row in
            try FaxPurge(
                faxID: row["id"], scope: FaxPurge.Scope(rawValue: row["purgeState"]) ?? .record, files: Self.files(of: row))
        }
    }

    func completePurges(_ faxIDs: [String]) throws {
        let deleteRecord = try db.cachedStatement(sql: "DELETE FROM fax WHERE id = ? AND purgeState = 'record'")
        let clearImages = try db.cachedStatement(sql: """
            UPDATE fax SET tiffPath = NULL, pdfPath = NULL, thumbnailPath = NULL, purgeState = NULL
            WHERE id = ? AND purgeState = 'images'
            """)
        for id in faxIDs {
            try deleteRecord.execute(arguments: [id])
            try clearImages.execute(arguments: [id])
        }
    }

    // MARK: - Orphans

    /// Tables other than `fax` whose rows point at spool files (outbound documents). A file
    /// any of them names is no orphan; a table not there yet (older schema) is skipped.
    static let spoolReferences: [(table: String, column: String)] = [("job", "documentPath")]

    /// Which of `paths` (relative spool paths) a record points at — any fax (purging or not)
    /// except those in `excludingFaxIDs`, and any row of `spoolReferences`.
    func referencedSpoolPaths(_ paths: [String], excludingFaxIDs: Set<String> = []) throws -> Set<String> {
        guard !paths.isEmpty else { return [] }
        var referenced = Set<String>()
        for chunk in stride(from: 0, to: paths.count, by: 300).map({ Array(paths[$0..<min($0 + 300, paths.count)]) }) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT id, tiffPath, pdfPath, thumbnailPath FROM fax
                    WHERE tiffPath IN (\(marks)) OR pdfPath IN (\(marks)) OR thumbnailPath IN (\(marks))
                    """,
                arguments: StatementArguments(chunk + chunk + chunk))
            {
                if excludingFaxIDs.contains(row["id"]) { continue }
                for column in ["tiffPath", "pdfPath", "thumbnailPath"] {
                    if let path: String = row[column] { referenced.insert(path) }
                }
            }
            for reference in Self.spoolReferences where try db.tableExists(reference.table) {
                referenced.formUnion(try String.fetchAll(
                    db, sql: "SELECT \(reference.column) FROM \(reference.table) WHERE \(reference.column) IN (\(marks))",
                    arguments: StatementArguments(chunk)))
            }
        }
        return referenced.intersection(paths)
    }

    /// Faxes (not purging) that point at files, by id after `cursor`.
    func faxFiles(after cursor: String?, limit: Int) throws -> [FaxFileList] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, tiffPath, pdfPath, thumbnailPath FROM fax
                WHERE purgeState IS NULL AND id > ?
                  AND (tiffPath IS NOT NULL OR pdfPath IS NOT NULL OR thumbnailPath IS NOT NULL)
                ORDER BY id LIMIT ?
                """,
            arguments: [cursor ?? "", min(max(limit, 1), 10_000)]
        ).map { row in FaxFileList(faxID: row["id"], files: try Self.files(of: row)) }
    }

    /// Drops a record's pointer to a file that is gone, noting it in the fax's event log.
    func forgetMissingFile(faxID: String, path: SpoolPath, note: String) throws {
        var changed = false
        for column in ["tiffPath", "pdfPath", "thumbnailPath"] {
            try db.execute(
                sql: "UPDATE fax SET \(column) = NULL WHERE id = ? AND \(column) = ?", arguments: [faxID, path.relativePath])
            changed = changed || db.changesCount > 0
        }
        guard changed, var fax = try fax(id: faxID) else { return }
        fax.events.append(FaxLogEntry(time: max(0, fax.events.last?.time ?? 0), kind: "note", text: note))
        try updateFax(fax)
    }

    /// Ids of the faxes on the line.
    func inFlightFaxIDs() throws -> Set<String> {
        try String.fetchSet(db, sql: "SELECT id FROM fax WHERE status IN ('receiving', 'sending')")
    }

    // MARK: - Audit

    func appendAudit(_ entry: AuditEntry) throws {
        try db.execute(
            sql: "INSERT INTO auditLog (at, kind, actor, summary) VALUES (?, ?, ?, ?)",
            arguments: [entry.at, entry.kind.rawValue, String(entry.actor.prefix(100)), String(entry.summary.prefix(4000))])
    }

    /// Newest first.
    func auditEntries(limit: Int = 100) throws -> [AuditEntry] {
        try Row.fetchAll(
            db, sql: "SELECT id, at, kind, actor, summary FROM auditLog ORDER BY at DESC, id DESC LIMIT ?",
            arguments: [min(max(limit, 1), 10_000)]
        ).map(Self.auditEntry)
    }

    /// Keyset paging on (time, id), as the fax list pages (`FaxCursor` holds the stored time
    /// text and the id).
    func auditPage(_ query: AuditQuery) throws -> ListPage<AuditEntry> {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let actor = query.actor, !actor.isEmpty {
            conditions.append("actor LIKE ? ESCAPE '\\'")
            arguments += ["%" + Self.likePrefix(actor)]
        }
        if !query.kinds.isEmpty {
            conditions.append("kind IN (\(Array(repeating: "?", count: query.kinds.count).joined(separator: ",")))")
            arguments += StatementArguments(query.kinds.map(\.rawValue).sorted())
        }
        if let since = query.since {
            conditions.append("at >= ?")
            arguments += [since]
        }
        if let until = query.until {
            conditions.append("at < ?")
            arguments += [until]
        }
        if let cursor = query.cursor {
            let position = try FaxCursor(decoding: cursor)
            guard Int64(position.id) != nil else { throw FaxValidationError(field: "cursor", reason: "is not a cursor this server gave") }
            // A row value seeks in `auditLog_on_at` (which holds the id): see `faxPage`.
            conditions.append("(at, id) < (?, ?)")
            arguments += [position.createdAt, Int64(position.id)]
        }
        let (limit, fetch) = ListPage<AuditEntry>.rowsToFetch(query.limit)
        arguments += [fetch]
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, at, kind, actor, summary FROM auditLog \(filter) ORDER BY at DESC, id DESC LIMIT ?", arguments: arguments)
        // The stored text of the time, not a Date read back: the cursor must compare equal to the row.
        return ListPage(
            rows: rows, limit: limit, item: Self.auditEntry, cursor: { FaxCursor(createdAt: $0["at"], id: String($0["id"] as Int64)).encoded })
    }

    func latestAuditEntry(kind: AuditEntry.Kind) throws -> AuditEntry? {
        try Row.fetchOne(
            db, sql: "SELECT id, at, kind, actor, summary FROM auditLog WHERE kind = ? ORDER BY at DESC, id DESC LIMIT 1",
            arguments: [kind.rawValue]
        ).map(Self.auditEntry)
    }

    private static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(id: row["id"], at: row["at"], kind: AuditEntry.Kind(rawValue: row["kind"]) ?? .cleanup,
                   actor: row["actor"], summary: row["summary"])
    }
}

extension FaxDatabase: RetentionRepository {
    public func retentionOverrides() async throws -> RetentionOverrides { try await read { try $0.retentionOverrides() } }
    public func faxRetentionCandidates(olderThan cutoff: Date, after cursor: FaxRetentionCursor?, limit: Int) async throws
        -> [FaxRetentionCandidate]
    {
        try await read { try $0.faxRetentionCandidates(olderThan: cutoff, after: cursor, limit: limit) }
    }
    public func markForPurge(_ purges: [FaxPurge]) async throws -> [FaxPurge] {
        try await write { try $0.markForPurge(purges) }
    }
    public func pendingPurges(limit: Int) async throws -> [FaxPurge] { try await read { try $0.pendingPurges(limit: limit) } }
    public func completePurges(_ faxIDs: [String]) async throws { try await write { try $0.completePurges(faxIDs) } }
    public func appendAudit(_ entry: AuditEntry) async throws { try await write { try $0.appendAudit(entry) } }
    public func auditEntries(limit: Int) async throws -> [AuditEntry] { try await read { try $0.auditEntries(limit: limit) } }
    public func auditPage(_ query: AuditQuery) async throws -> ListPage<AuditEntry> { try await read { try $0.auditPage(query) } }
    public func latestAuditEntry(kind: AuditEntry.Kind) async throws -> AuditEntry? {
        try await read { try $0.latestAuditEntry(kind: kind) }
    }
    public func deviceRetention(extension number: String) async throws -> RetentionOverride? {
        try await read { try $0.deviceRetention(extension: number) }
    }
    public func changeDeviceRetention(_ change: RetentionChange, extension number: String) async throws {
        try await write { try $0.changeDeviceRetention(change, extension: number) }
    }
    public func changeGroupRetention(_ change: RetentionChange, group: String) async throws {
        try await write { try $0.changeGroupRetention(change, group: group) }
    }
    public func groupRetentions() async throws -> [GroupRetention] { try await read { try $0.groupRetentions() } }
    public func markForManualPurge(faxID: String, evenIfUndelivered: Bool) async throws -> FaxPurge {
        try await write { try $0.markForManualPurge(faxID: faxID, evenIfUndelivered: evenIfUndelivered) }
    }
    public func referencedSpoolPaths(_ paths: [String], excludingFaxIDs: Set<String>) async throws -> Set<String> {
        try await read { try $0.referencedSpoolPaths(paths, excludingFaxIDs: excludingFaxIDs) }
    }
    public func inFlightFaxIDs() async throws -> Set<String> { try await read { try $0.inFlightFaxIDs() } }
    public func faxFiles(after cursor: String?, limit: Int) async throws -> [FaxFileList] {
        try await read { try $0.faxFiles(after: cursor, limit: limit) }
    }
    public func forgetMissingFile(faxID: String, path: SpoolPath, note: String) async throws {
        try await write { try $0.forgetMissingFile(faxID: faxID, path: path, note: note) }
    }
}

extension FaxDatabase: FaxStore {
    public var finishedRecordSources: [any FinishedRecordRetention] { [FinishedJobRetention(database: self)] }
}
