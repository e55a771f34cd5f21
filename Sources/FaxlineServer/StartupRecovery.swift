import Documents
import FaxCore
import FaxEngine
import Foundation
import Logging

/// Puts right what a crash (kill -9, power loss) left half done, before any call is taken: a
/// fax that was being received is filed with the pages that had arrived whole (spandsp writes a
/// page to the TIFF only once it is complete), or marked failed when none had.
struct StartupRecovery {
    let faxes: any FaxRepository
    let devices: any DeviceRepository
    let finisher: ReceivedFaxFinisher
    let logger: Logger

    func run() async throws {
        let interrupted = try await faxes.recentFaxes(FaxQuery(limit: 10_000, statuses: [.receiving]))
        for var fax in interrupted {
            var logger = self.logger
            logger[metadataKey: "fax.id"] = "\(fax.id)"
            let partial = finisher.spool.temporaryFile("\(fax.id).tif")
            let pages = (try? FaxTIFFInspector.pages(of: partial).count) ?? 0
            fax.finishedAt = Date()
            fax.events.append(FaxLogEntry(time: 0, kind: "note", text: "the server stopped during this call; \(pages) whole pages were recovered"))
            fax.session.errorText = "INTERRUPTED"
            fax.session.statusString = "The server stopped during the call"
            fax.session.pages = pages
            if pages > 0 {
                do {
                    fax.files = try await finisher.file(partial, record: fax)
                    fax.status = .partial
                } catch {
                    fax.status = .failed
                    logger.error("cannot recover the interrupted fax", metadata: ["error": "\(error)"])
                }
            } else {
                fax.status = .failed
            }
            try? FileManager.default.removeItem(atPath: partial)
            try await faxes.updateFax(fax)
            let recipients = try await devices.devices().filter { fax.deviceExtensions.contains($0.extensionNumber) }
            try await finisher.queueDeliveries(of: fax, to: recipients)
            logger.notice("recovered a fax interrupted by a restart", metadata: ["pages": "\(pages)", "status": "\(fax.status.rawValue)"])
        }
    }
}
