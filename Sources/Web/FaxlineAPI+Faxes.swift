import Documents
import FaxCore
import Foundation
import OpenAPIRuntime

extension FaxlineAPI {
    func listFaxes(_ input: Operations.ListFaxes.Input) async throws -> Operations.ListFaxes.Output {
        // Which faxes the principal sees is the list scope's to say (every token scope reads).
        let principal = try RequestPrincipal.required()
        let query = input.query
        if let since = query.since, let until = query.until, until <= since {
            throw APIProblem.badRequest("until must be after since", field: "until")
        }
        let page = try await services.faxes.faxes(FaxListQuery(
            scope: AccessPolicy.listScope(for: principal), limit: try Self.limit(query.limit), cursor: query.cursor,
            direction: query.direction?.model, statuses: Set((query.status ?? []).map(\.model)),
            deviceExtension: try query.device.map { try Self.extensionNumber($0, field: "device") },
            callerPrefix: query.caller, since: query.since, until: query.until))
        let body = Components.Schemas.FaxPage(items: page.items.map(Components.Schemas.FaxSummary.init), nextCursor: page.nextCursor)
        // Behind `FaxPageJSON.Middleware` the page is written by hand; the generated code gets an
        // empty one to encode.
        if let slot = FaxPageJSON.Slot.current {
            slot.page.withLock { $0 = body }
            return .ok(.init(body: .json(.init(items: []))))
        }
        return .ok(.init(body: .json(body)))
    }

    /// The fax, if the principal may do `action` to it: 404 when there is none, 403 when it is
    /// another user's.
    func fax(_ id: String, allowing action: FaxOperation) async throws -> (FaxRecord, Principal) {
        let principal = try RequestPrincipal.required()
        guard let fax = try await services.faxes.fax(id: id) else { throw APIProblem.notFound("fax \(id)") }
        if case .denied(let denial) = AccessPolicy.decide(principal, action, fax: fax) { throw APIProblem.forbidden(denial) }
        return (fax, principal)
    }

    func getFax(_ input: Operations.GetFax.Input) async throws -> Operations.GetFax.Output {
        let (fax, _) = try await fax(input.path.faxId, allowing: .read)
        let deliveries = try await services.faxes.deliveries(faxID: fax.id)
        return .ok(.init(body: .json(.init(fax, deliveries: deliveries))))
    }

    func deleteFax(_ input: Operations.DeleteFax.Input) async throws -> Operations.DeleteFax.Output {
        let (fax, principal) = try await fax(input.path.faxId, allowing: .delete)
        try await services.faxes.delete(fax, force: input.query.force ?? false, actor: Self.actor(principal))
        return .noContent(.init())
    }

    func getFaxPDF(_ input: Operations.GetFaxPDF.Input) async throws -> Operations.GetFaxPDF.Output {
        let (fax, _) = try await fax(input.path.faxId, allowing: .read)
        let path = try file(.pdf, of: fax)
        let tag = try FileTag(path: path).etag
        if FileTag.matches(input.headers.ifNoneMatch, etag: tag) { return .notModified(.init(headers: .init(eTag: tag))) }
        return .ok(.init(headers: .init(eTag: tag), body: .pdf(try FileBody.read(path))))
    }

    func getFaxTIFF(_ input: Operations.GetFaxTIFF.Input) async throws -> Operations.GetFaxTIFF.Output {
        let (fax, _) = try await fax(input.path.faxId, allowing: .read)
        let path = try file(.tiff, of: fax)
        let tag = try FileTag(path: path).etag
        if FileTag.matches(input.headers.ifNoneMatch, etag: tag) { return .notModified(.init(headers: .init(eTag: tag))) }
        return .ok(.init(headers: .init(eTag: tag), body: .imageTiff(try FileBody.read(path))))
    }

    func getFaxPage(_ input: Operations.GetFaxPage.Input) async throws -> Operations.GetFaxPage.Output {
        let (fax, _) = try await fax(input.path.faxId, allowing: .read)
        let page = input.path.page
        let size = PagePreviews.Size(rawValue: input.query.size?.rawValue ?? "full") ?? .full
        guard page >= 1 else { throw APIProblem.notFound("page \(page) of fax \(fax.id)") }
        if size == .thumbnail, page != 1 { throw APIProblem.badRequest("thumbnails are made of page 1 only", field: "size") }
        let pdf = try file(.pdf, of: fax)
        let tag = try PagePreviews.etag(faxID: fax.id, pdf: pdf, page: page, size: size)
        if FileTag.matches(input.headers.ifNoneMatch, etag: tag) { return .notModified(.init(headers: .init(eTag: tag))) }
        let png: String
        do {
            png = try await previews.png(faxID: fax.id, pdf: pdf, page: page, size: size)
        } catch DocumentError.invalidOption {
            throw APIProblem.notFound("page \(page) of fax \(fax.id) (it has \(fax.session.pages))")
        }
        return .ok(.init(headers: .init(eTag: tag), body: .png(try FileBody.read(png))))
    }

    func resendFax(_ input: Operations.ResendFax.Input) async throws -> Operations.ResendFax.Output {
        let (fax, principal) = try await fax(input.path.faxId, allowing: .resend)
        guard fax.files.tiff != nil || fax.files.pdf != nil else {
            throw APIProblem(.conflict, "fax \(fax.id) has no pages kept to mail (it failed, or retention removed its images)")
        }
        let request: Components.Schemas.ResendRequest? = if case .json(let body) = input.body { body } else { nil }
        var recipients: [MailRecipient]
        if let addresses = request?.to, !addresses.isEmpty {
            let format = request?.format?.model ?? .pdf
            recipients = []
            for address in addresses {
                do {
                    try EmailAddress.validate(address)
                } catch {
                    throw APIProblem(.unprocessableContent, error.description, title: "Invalid value", field: "to")
                }
                recipients.append(MailRecipient(address: address, format: format))
            }
        } else {
            recipients = try await services.faxes.deviceRecipients(of: fax)
            if let format = request?.format?.model {
                recipients = recipients.map { MailRecipient(address: $0.address, format: format) }
            }
            guard !recipients.isEmpty else {
                throw APIProblem(.conflict, "the fax's devices have no mail addresses; give the addresses in to")
            }
        }
        let deliveries = try await services.faxes.mailAgain(fax, to: recipients, actor: Self.actor(principal))
        return .accepted(.init(body: .json(deliveries.map(Components.Schemas.Delivery.init))))
    }

    private func file(_ kind: FaxFileKind, of fax: FaxRecord) throws -> String {
        guard let path = services.faxes.filePath(kind, of: fax) else {
            throw APIProblem(.notFound, "fax \(fax.id) has no \(kind.rawValue.uppercased()) (it failed, was sent, or retention removed its images)")
        }
        return path
    }
}

/// Files as response bodies.
enum FileBody {
    /// Fax files are a few megabytes at most (a 200-page fax PDF is about 11 MB).
    static func read(_ path: String) throws -> HTTPBody {
        guard let data = FileManager.default.contents(atPath: path) else { throw APIProblem(.notFound, "the file is gone from the spool") }
        return HTTPBody(data)
    }
}
