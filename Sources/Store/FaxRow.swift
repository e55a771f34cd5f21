import FaxCore
import Foundation
import GRDB

/// A row of `fax`. Timestamps are stored to the millisecond.
struct FaxRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "fax"

    var id: String
    var direction: String
    var createdAt: Date
    var finishedAt: Date?
    var deviceExtensions: String
    var callerNumber: String
    var callerName: String
    var did: String
    var lineName: String?
    var status: String
    var pages: Int
    var bitRate: Int
    var ecm: Bool
    var resolution: String
    var compression: String
    var remoteStationID: String
    var localStationID: String
    var duration: Double
    var completionCode: Int?
    var errorText: String
    var statusString: String
    var events: String
    var tiffPath: String?
    var pdfPath: String?
    var thumbnailPath: String?
    var deliveryState: String

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let direction = Column(CodingKeys.direction)
        static let createdAt = Column(CodingKeys.createdAt)
        static let status = Column(CodingKeys.status)
    }

    init(_ fax: FaxRecord) throws {
        id = fax.id.lowercased()
        direction = fax.direction.rawValue
        createdAt = fax.createdAt
        finishedAt = fax.finishedAt
        deviceExtensions = try StoreJSON.encode(fax.deviceExtensions)
        callerNumber = fax.callerNumber
        callerName = fax.callerName
        did = fax.did
        lineName = fax.lineName
        status = fax.status.rawValue
        pages = fax.session.pages
        bitRate = fax.session.bitRate
        ecm = fax.session.ecm
        resolution = fax.session.resolution
        compression = fax.session.compression
        remoteStationID = fax.session.remoteStationID
        localStationID = fax.session.localStationID
        duration = fax.session.duration
        completionCode = fax.session.completionCode
        errorText = fax.session.errorText
        statusString = fax.session.statusString
        events = try StoreJSON.encode(fax.events)
        tiffPath = fax.files.tiff?.relativePath
        pdfPath = fax.files.pdf?.relativePath
        thumbnailPath = fax.files.thumbnail?.relativePath
        deliveryState = fax.deliveryState.rawValue
    }

    func model() throws -> FaxRecord {
        try FaxRecord(
            id: id, direction: decodeEnum(FaxDirection.self, direction, column: "fax.direction"), createdAt: createdAt,
            finishedAt: finishedAt,
            deviceExtensions: StoreJSON.decode([String].self, from: deviceExtensions, column: "fax.deviceExtensions"),
            callerNumber: callerNumber, callerName: callerName, did: did, lineName: lineName,
            status: decodeEnum(FaxStatus.self, status, column: "fax.status"),
            session: FaxSessionSummary(
                pages: pages, bitRate: bitRate, ecm: ecm, resolution: resolution, compression: compression,
                remoteStationID: remoteStationID, localStationID: localStationID, duration: duration,
                completionCode: completionCode, errorText: errorText, statusString: statusString),
            events: StoreJSON.decode([FaxLogEntry].self, from: events, column: "fax.events"),
            files: FaxSpoolFiles(
                tiff: tiffPath.map(SpoolPath.init), pdf: pdfPath.map(SpoolPath.init),
                thumbnail: thumbnailPath.map(SpoolPath.init)),
            deliveryState: decodeEnum(FaxDeliveryState.self, deliveryState, column: "fax.deliveryState"))
    }
}

/// A fax of a list page (`faxPage`): every column but the event log, read by position from the
/// live statement. The Codable path (`FaxRow(row:)`) looks each column up by name and a JSON
/// decoder parses the log and the device list of every row, which made a page of 50 cost more
/// than its query; an event log is kilobytes a fax and no list shows it.
enum FaxListRow {
    static let columns = """
        id, direction, createdAt, finishedAt, deviceExtensions, callerNumber, callerName, did, lineName, status, pages, bitRate,
        ecm, resolution, compression, remoteStationID, localStationID, duration, completionCode, errorText, statusString,
        tiffPath, pdfPath, thumbnailPath, deliveryState
        """
    /// The stored creation time's position: the cursor keeps the text, not a Date read back.
    static let createdAtColumn = 2

    static func model(_ row: Row) throws -> FaxRecord {
        try FaxRecord(
            id: row.decode(atIndex: 0), direction: decodeEnum(FaxDirection.self, row.decode(atIndex: 1), column: "fax.direction"),
            createdAt: row.decode(atIndex: 2), finishedAt: row.decode(atIndex: 3), deviceExtensions: extensions(row.decode(atIndex: 4)),
            callerNumber: row.decode(atIndex: 5), callerName: row.decode(atIndex: 6), did: row.decode(atIndex: 7),
            lineName: row.decode(atIndex: 8), status: decodeEnum(FaxStatus.self, row.decode(atIndex: 9), column: "fax.status"),
            session: FaxSessionSummary(
                pages: row.decode(atIndex: 10), bitRate: row.decode(atIndex: 11), ecm: row.decode(atIndex: 12),
                resolution: row.decode(atIndex: 13), compression: row.decode(atIndex: 14), remoteStationID: row.decode(atIndex: 15),
                localStationID: row.decode(atIndex: 16), duration: row.decode(atIndex: 17), completionCode: row.decode(atIndex: 18),
                errorText: row.decode(atIndex: 19), statusString: row.decode(atIndex: 20)),
            files: FaxSpoolFiles(
                tiff: row.decode(String?.self, atIndex: 21).map(SpoolPath.init), pdf: row.decode(String?.self, atIndex: 22).map(SpoolPath.init),
                thumbnail: row.decode(String?.self, atIndex: 23).map(SpoolPath.init)),
            deliveryState: decodeEnum(FaxDeliveryState.self, row.decode(atIndex: 24), column: "fax.deliveryState"))
    }

    /// The stored device list, `["201","202"]` as `StoreJSON` writes it: extension numbers are
    /// digits, so in a list without escapes the quotes alone delimit them — split at the quote
    /// byte, the pieces between are `[`, `,` … `]`; anything else goes to the decoder. (Splitting
    /// the text at the separator `","` through String's generic split was a twentieth of a page.)
    static func extensions(_ text: String) throws -> [String] {
        let bytes = text.utf8
        if text == "[]" { return [] }
        let pieces = bytes.split(separator: UInt8(ascii: "\""), omittingEmptySubsequences: false)
        if pieces.count >= 3, !pieces.count.isMultiple(of: 2), !bytes.contains(UInt8(ascii: "\\")) {
            var numbers: [String] = []
            numbers.reserveCapacity(pieces.count / 2)
            var wellFormed = true
            for (position, piece) in pieces.enumerated() {
                if !position.isMultiple(of: 2) {
                    numbers.append(String(Substring(piece)))
                } else {
                    let delimiter: UInt8 = position == 0 ? UInt8(ascii: "[") : position == pieces.count - 1 ? UInt8(ascii: "]") : UInt8(ascii: ",")
                    wellFormed = wellFormed && piece.count == 1 && piece.first == delimiter
                }
            }
            if wellFormed { return numbers }
        }
        return try StoreJSON.decode([String].self, from: text, column: "fax.deviceExtensions")
    }
}

extension StoreTransaction {
    func insertFax(_ fax: FaxRecord) throws {
        try fax.validate()
        do {
            try FaxRow(fax).insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw RepositoryError.conflict("a fax with id \(fax.id) already exists")
        }
    }

    func updateFax(_ fax: FaxRecord) throws {
        try fax.validate()
        let before = try String.fetchOne(db, sql: "SELECT status FROM fax WHERE id = ?", arguments: [fax.id.lowercased()])
        do {
            try FaxRow(fax).update(db)
        } catch RecordError.recordNotFound {
            throw RepositoryError.notFound("fax \(fax.id)")
        }
        if let event = WebhookEvent.ofFax(from: before.flatMap(FaxStatus.init(rawValue:)), to: fax) {
            try queueWebhookEvent(event, about: .fax(fax), callbackURL: nil, at: fax.finishedAt ?? clock())
        }
    }

    func fax(id: String) throws -> FaxRecord? {
        try FaxRow.fetchOne(db, key: id.lowercased())?.model()
    }

    func recentFaxes(_ query: FaxQuery) throws -> [FaxRecord] {
        var request = FaxRow.all()
        if let direction = query.direction { request = request.filter(FaxRow.Columns.direction == direction.rawValue) }
        if !query.statuses.isEmpty { request = request.filter(query.statuses.map(\.rawValue).contains(FaxRow.Columns.status)) }
        if let since = query.since { request = request.filter(FaxRow.Columns.createdAt >= since) }
        if let before = query.before { request = request.filter(FaxRow.Columns.createdAt < before) }
        if let cursor = query.after {
            // The order is newest first, then by id: the next page is older, or as old with a greater id.
            request = request.filter(
                FaxRow.Columns.createdAt < cursor.createdAt
                    || (FaxRow.Columns.createdAt == cursor.createdAt && FaxRow.Columns.id > cursor.id.lowercased()))
        }
        if let text = query.farEnd, !text.isEmpty {
            // instr on lowercased text: no LIKE wildcards to escape in what people type.
            let needle = text.lowercased()
            request = request.filter(
                sql: """
                    (instr(lower(fax.callerNumber), ?) > 0 OR instr(lower(fax.callerName), ?) > 0
                     OR instr(lower(fax.remoteStationID), ?) > 0 OR (fax.direction = 'sent' AND instr(lower(fax.did), ?) > 0))
                    """,
                arguments: [needle, needle, needle, needle])
        }
        if let number = query.deviceExtension {
            request = request.filter(
                sql: "EXISTS (SELECT 1 FROM json_each(fax.deviceExtensions) WHERE json_each.value = ?)", arguments: [number])
        }
        return try request
            .order(FaxRow.Columns.createdAt.desc, FaxRow.Columns.id)
            .limit(min(max(query.limit, 1), 10_000))
            .fetchAll(db)
            .map { try $0.model() }
    }

    /// A range on the primary key: every id character sorts below "g".
    func faxIDs(startingWith prefix: String, limit: Int) throws -> [String] {
        let low = prefix.lowercased()
        return try String.fetchAll(
            db, sql: "SELECT id FROM fax WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            arguments: [low, low + "g", min(max(limit, 1), 1000)])
    }
}
