import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// The fax list's JSON (`GET /api/v1/faxes`), written directly: byte for byte what the
/// generated code's `JSONEncoder` writes for a `FaxPage` with the server's configuration (sorted
/// keys, compact, slashes escaped, `RFC3339DateTranscoder` dates, absent optionals left out),
/// at a fraction of its cost — the encoder boxed and sorted every field of every fax, which was
/// the largest part of a list request. Only this operation: it is the one clients poll.
enum FaxPageJSON {
    static func encode(_ page: Components.Schemas.FaxPage, dates: RFC3339DateTranscoder) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + page.items.count * 420)
        out.append(contentsOf: #"{"items":["#.utf8)
        for (index, fax) in page.items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            field(#"{"callerName":"#, string: fax.callerName, into: &out)
            field(#","callerNumber":"#, string: fax.callerNumber, into: &out)
            field(#","createdAt":"#, string: try dates.encode(fax.createdAt), into: &out)
            field(#","deliveryState":"#, string: fax.deliveryState.rawValue, into: &out)
            out.append(contentsOf: #","devices":["#.utf8)
            for (position, device) in fax.devices.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                string(device, into: &out)
            }
            out.append(UInt8(ascii: "]"))
            field(#","did":"#, string: fax.did, into: &out)
            field(#","direction":"#, string: fax.direction.rawValue, into: &out)
            if let finishedAt = fax.finishedAt { field(#","finishedAt":"#, string: try dates.encode(finishedAt), into: &out) }
            out.append(contentsOf: (#","hasPdf":"# + (fax.hasPdf ? "true" : "false")).utf8)
            out.append(contentsOf: (#","hasTiff":"# + (fax.hasTiff ? "true" : "false")).utf8)
            field(#","id":"#, string: fax.id, into: &out)
            out.append(contentsOf: #","pages":"#.utf8)
            out.append(contentsOf: String(fax.pages).utf8)
            field(#","remoteStationId":"#, string: fax.remoteStationId, into: &out)
            field(#","status":"#, string: fax.status.rawValue, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        if let cursor = page.nextCursor { field(#","nextCursor":"#, string: cursor, into: &out) }
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func field(_ key: String, string value: String, into out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        string(value, into: &out)
    }

    /// A JSON string as `JSONEncoder` writes it: quotes, backslashes and slashes escaped, the
    /// short escapes for backspace, form feed, newline, return and tab, `\u00XX` for the other
    /// control characters, everything else as UTF-8.
    private static func string(_ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "/"): out.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Where the list handler leaves its page for `Middleware` to write (the generated handler
    /// API has no way to return bytes of its own).
    final class Slot: Sendable {
        let page = Mutex<Components.Schemas.FaxPage?>(nil)
        @TaskLocal static var current: Slot?
    }

    /// Around `listFaxes` only: gives the handler a slot, then writes the page it left there in
    /// place of the generated code's body (which the handler then left empty).
    struct Middleware: ServerMiddleware {
        let dates: RFC3339DateTranscoder

        func intercept(
            _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
            next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
        ) async throws -> (HTTPResponse, HTTPBody?) {
            guard operationID == "listFaxes" else { return try await next(request, body, metadata) }
            let slot = Slot()
            var (response, responseBody) = try await Slot.$current.withValue(slot) { try await next(request, body, metadata) }
            guard response.status == .ok, let page = slot.page.withLock({ $0 }) else { return (response, responseBody) }
            let bytes = try FaxPageJSON.encode(page, dates: dates)
            response.headerFields[.contentLength] = String(bytes.count)
            responseBody = HTTPBody(bytes)
            return (response, responseBody)
        }
    }
}
