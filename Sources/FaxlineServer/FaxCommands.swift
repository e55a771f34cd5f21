import FaxCore
import Foundation

/// What people do with a filed fax by hand: find it by the start of its id, mail it again,
/// copy its pages out. The CLI (`faxline faxes`) and the REST API share it.
public struct FaxCommands: Sendable {
    public let store: any FaxStore
    public let spool: Spool

    /// Ambiguous prefixes list at most this many faxes.
    static let candidatesShown = 10

    public init(store: any FaxStore, spool: Spool) {
        self.store = store
        self.spool = spool
    }

    /// The one fax whose id starts with `text`; a clear error when none does or several do.
    public func find(_ text: String) async throws -> FaxRecord {
        try await Self.find(text, in: store)
    }

    /// The same lookup, for a caller that needs no spool.
    public static func find(_ text: String, in store: any FaxRepository) async throws -> FaxRecord {
        let prefix = try FaxIDPrefix(text)
        let ids = try await store.faxIDs(startingWith: prefix.text, limit: candidatesShown + 1)
        switch ids.count {
        case 0:
            throw FaxLookupError.noSuchFax(prefix.text)
        case 1:
            guard let fax = try await store.fax(id: ids[0]) else { throw FaxLookupError.noSuchFax(prefix.text) }
            return fax
        default:
            var candidates: [String] = []
            for id in ids.prefix(candidatesShown) {
                guard let fax = try await store.fax(id: id) else { continue }
                candidates.append("\(fax.id)  \(FaxText.clock(fax.createdAt))  \(FaxText.summary(fax))")
            }
            throw FaxLookupError.ambiguous(prefix.text, candidates: candidates, more: ids.count > candidatesShown)
        }
    }

    /// Mails a received fax again through the mail queue (durable, retried like the first
    /// mail): to `addresses` in the format of the fax's first device, or, without addresses,
    /// to every address of its devices as they are now. Written to the audit log.
    public func resend(_ fax: FaxRecord, to addresses: [String] = [], actor: String, at now: Date = Date()) async throws
        -> [MailDelivery]
    {
        guard fax.direction == .received else {
            throw FaxCommandError.notReceived(fax.id)
        }
        let devices = try await store.devices().filter { fax.deviceExtensions.contains($0.extensionNumber) }
        let recipients: [MailRecipient]
        if addresses.isEmpty {
            recipients = MailRecipient.recipients(of: devices)
            guard !recipients.isEmpty else { throw FaxCommandError.nobodyToMail(fax.id) }
        } else {
            let format = devices.first?.deliveryFormat ?? .pdf
            for address in addresses { try EmailAddress.validate(address) }
            recipients = addresses.map { MailRecipient(address: $0, format: format) }
        }
        for format in Set(recipients.map(\.format)) {
            for kind in format.attachedFiles { _ = try file(kind, of: fax) }
        }
        return try await mailAgain(fax, to: recipients, actor: actor, at: now)
    }

    /// Puts the fax's mail to `recipients` in the queue again and writes it to the audit log;
    /// returns those recipients' deliveries. The caller has chosen and checked the recipients
    /// (`resend` here, the REST API on its own terms).
    public func mailAgain(_ fax: FaxRecord, to recipients: [MailRecipient], actor: String, at now: Date = Date()) async throws
        -> [MailDelivery]
    {
        let deliveries = try await store.requeueDeliveries(faxID: fax.id, recipients: recipients, at: now)
        try await store.appendAudit(AuditEntry(
            at: now, kind: .faxResent, actor: actor,
            summary: "fax \(fax.id) mailed again to " + recipients.map(\.address).joined(separator: ", ")))
        return deliveries.filter { delivery in recipients.contains { $0.address == delivery.recipient } }
    }

    /// Copies the fax's PDF or TIFF to `destination`; refuses to overwrite a file unless
    /// `replacing`. Returns the bytes copied.
    @discardableResult
    public func export(_ fax: FaxRecord, as kind: FaxFileKind, to destination: String, replacing: Bool = false) throws -> Int64 {
        let source = try file(kind, of: fax)
        if FileManager.default.fileExists(atPath: destination) {
            guard replacing else { throw FaxCommandError.destinationExists(destination) }
            try FileManager.default.removeItem(atPath: destination)
        }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: destination)
        } catch {
            throw FaxCommandError.cannotWrite(destination, ErrorWords.describe(error))
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? NSNumber)?.int64Value
        return size ?? 0
    }

    /// The absolute path of one of the fax's files, checked to be there.
    public func file(_ kind: FaxFileKind, of fax: FaxRecord) throws -> String {
        let stored: SpoolPath? = switch kind {
        case .pdf: fax.files.pdf
        case .tiff: fax.files.tiff
        }
        guard let stored else { throw FaxCommandError.noImages(fax.id, kind) }
        let path = stored.absolutePath(under: spool.root)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw FaxCommandError.fileMissing(fax.id, kind, path)
        }
        return path
    }
}

extension DeliveryFormat {
    /// The files a mail in this format attaches.
    var attachedFiles: [FaxFileKind] {
        switch self {
        case .pdf, .inline: [.pdf]
        case .tiff: [.tiff]
        case .both: [.pdf, .tiff]
        }
    }
}

public enum FaxCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    case notReceived(String)
    case nobodyToMail(String)
    case noImages(String, FaxFileKind)
    case fileMissing(String, FaxFileKind, String)
    case destinationExists(String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .notReceived(let id): "fax \(id) was sent, not received: only received faxes are mailed"
        case .nobodyToMail(let id): "fax \(id) has no device with a mail address any more: give --to ADDRESS"
        case .noImages(let id, let kind):
            "fax \(id) has no \(kind.rawValue.uppercased()) (it brought no pages, or its images were deleted by zero retention or the cleanup)"
        case .fileMissing(let id, let kind, let path):
            "the \(kind.rawValue.uppercased()) of fax \(id) is missing from the spool (\(path))"
        case .destinationExists(let path): "\(path) exists; give --force to replace it"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
