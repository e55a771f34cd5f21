import CallMedia
import Documents
import FaxCore
import FaxEngine
import Foundation
import Logging
import NIOPosix

/// Files a received fax: the TIFF into the spool, a PDF with the G4 data copied through, a
/// thumbnail of page 1, the record with every result, and the mail deliveries. Pages that
/// arrived are kept whatever else failed: a partial fax is still delivered.
///
/// The file work (reading the TIFF, writing the PDF) runs on a thread pool, never on the
/// cooperative pool that runs the calls.
struct ReceivedFaxFinisher: Sendable {
    let faxes: any FaxRepository
    let deliveries: any DeliveryRepository
    let spool: Spool
    /// Tells the mail queue that deliveries were queued.
    let deliveriesQueued: @Sendable () -> Void
    let threadPool: NIOThreadPool
    let preview = FaxPreview(timeLimit: .seconds(60))

    init(faxes: any FaxRepository, deliveries: any DeliveryRepository, spool: Spool,
         threadPool: NIOThreadPool = .singleton, deliveriesQueued: @escaping @Sendable () -> Void) {
        self.faxes = faxes
        self.deliveries = deliveries
        self.spool = spool
        self.threadPool = threadPool
        self.deliveriesQueued = deliveriesQueued
    }

    func finish(_ record: FaxRecord, result outcome: MediaCallOutcome, receivedFile: String,
                devices: [FaxDevice], logger: Logger) async -> FaxRecord {
        var record = record
        let fax = outcome.fax
        record.finishedAt = Date()
        record.session = FaxSessionSummary(
            pages: fax.pagesConfirmed, bitRate: fax.bitRate, ecm: fax.ecm, resolution: fax.resolution.name,
            compression: fax.compression.rawValue, remoteStationID: fax.remoteStationID,
            localStationID: fax.localStationID, duration: fax.duration, completionCode: fax.completionCode,
            errorText: fax.error, statusString: fax.statusString)
        record.events = fax.events.map(\.logEntry)
        switch outcome.ending {
        case .neverConnected(let reason):
            record.events.append(FaxLogEntry(time: 0, kind: "note", text: "audio never connected: \(reason)"))
        case .mediaFailed(let reason):
            record.events.append(FaxLogEntry(time: fax.duration, kind: "note", text: "audio failed: \(reason)"))
        case .hungUpByUs(let reason):
            record.events.append(FaxLogEntry(time: fax.duration, kind: "note", text: "hung up: \(reason)"))
        case .faxFinished, .farEndHungUp:
            break
        }

        if fax.pagesConfirmed > 0 {
            do {
                record.files = try await file(receivedFile, record: record)
                record.status = fax.isSuccess ? .received : .partial
            } catch {
                logger.error("could not file the received fax", metadata: ["error": "\(ErrorWords.describe(error))"])
                record.events.append(FaxLogEntry(time: fax.duration, kind: "note", text: "filing failed: \(ErrorWords.describe(error))"))
                record.status = .failed
            }
        } else {
            record.status = .failed
        }
        try? FileManager.default.removeItem(atPath: receivedFile)

        do {
            try await faxes.updateFax(record)
            try await queueDeliveries(of: record, to: devices)
        } catch {
            logger.error("could not store the fax record", metadata: ["error": "\(ErrorWords.describe(error))"])
        }
        logger.info("fax received", metadata: [
            "status": "\(record.status.rawValue)", "pages": "\(fax.pagesConfirmed)",
            "caller": "\(record.callerNumber)", "devices": "\(record.deviceExtensions.joined(separator: ","))",
        ])
        return record
    }

    /// One mail per address of `devices`, when the fax has pages filed.
    func queueDeliveries(of record: FaxRecord, to devices: [FaxDevice]) async throws {
        guard record.files.tiff != nil else { return }
        let recipients = MailRecipient.recipients(of: devices)
        guard !recipients.isEmpty else { return }
        _ = try await deliveries.enqueueDeliveries(faxID: record.id, recipients: recipients, at: Date())
        deliveriesQueued()
    }

    /// Writes the PDF and thumbnail next to the TIFF in the temporary folder, then moves all
    /// three into place; a failure leaves nothing behind in the spool proper. Also files the
    /// pages of a reception the server did not live to finish (startup recovery).
    func file(_ receivedFile: String, record: FaxRecord) async throws -> FaxSpoolFiles {
        let spool = self.spool
        let base = spool.incomingBase(faxID: record.id, at: record.createdAt)
        let pdf = spool.temporaryFile("\(record.id).pdf")
        let thumbnail = spool.temporaryFile("\(record.id).png")
        defer {
            try? FileManager.default.removeItem(atPath: pdf)
            try? FileManager.default.removeItem(atPath: thumbnail)
        }
        let title = "Fax from \(record.callerNumber)"
        try await threadPool.runIfActive {
            _ = try FaxPDFWriter.write(tiff: receivedFile, to: pdf, title: title)
        }
        var hasThumbnail = true
        do {
            try await preview.thumbnail(ofPDF: pdf, to: thumbnail)
        } catch {
            hasThumbnail = false
        }
        var files = FaxSpoolFiles()
        files.tiff = try spool.place(receivedFile, at: base + ".tif")
        files.pdf = try spool.place(pdf, at: base + ".pdf")
        if hasThumbnail {
            files.thumbnail = try spool.place(thumbnail, at: base + ".png")
        }
        return files
    }
}
