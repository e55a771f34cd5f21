import Foundation
import HTTPTypes
@_spi(Generated) import OpenAPIRuntime
import Testing
@testable import Web

@Suite("REST API: the fax list's JSON, written by hand as the generated code writes it")
struct FaxPageJSONTests {
    /// What the generated handler's converter writes for `page` with the server's configuration.
    static func generated(_ page: Components.Schemas.FaxPage) async throws -> [UInt8] {
        var fields = HTTPFields()
        let body = try Converter(configuration: WebServer.apiConfiguration())
            .setResponseBodyAsJSON(page, headerFields: &fields, contentType: "application/json; charset=utf-8")
        return try await [UInt8](collecting: body, upTo: .max)
    }

    static func summary(_ index: Int, text: String, using generator: inout RFC3339DateTranscoderTests.SeededGenerator) -> Components.Schemas.FaxSummary {
        let created = Date(timeIntervalSince1970: Double.random(in: 0..<4_000_000_000, using: &generator))
        return Components.Schemas.FaxSummary(
            id: UUID().uuidString.lowercased(), direction: index.isMultiple(of: 3) ? .sent : .received,
            status: [.received, .partial, .failed, .sent][index % 4], createdAt: created,
            finishedAt: index.isMultiple(of: 5) ? nil : created.addingTimeInterval(Double.random(in: 0..<600, using: &generator)),
            devices: Array(["201", "202", "7"].prefix(index % 4)), callerNumber: index.isMultiple(of: 2) ? "+1555\(index)" : "",
            callerName: text, did: "4930/\(index)", remoteStationId: String(text.reversed()), pages: index * 37 - 5,
            deliveryState: [.none, .pending, .delivered, .failed][index % 4], hasPdf: index.isMultiple(of: 2), hasTiff: index % 3 == 1)
    }

    @Test("byte for byte the generated encoder's output: every control character, quotes, slashes, Unicode, absent optionals")
    func sameAsGenerated() async throws {
        var generator = RFC3339DateTranscoderTests.SeededGenerator(state: 5)
        // Every ASCII character one by one, then random mixes of the awkward ones.
        var texts = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        let awkward: [String] = ["\"", "\\", "/", "\n", "\u{7F}", "\u{2028}", "é", "😀", "ACME Corp", "\u{0}", "a b", "<&>", "\u{FEFF}"]
        texts += (0..<200).map { _ in (0..<Int.random(in: 0..<12, using: &generator)).map { _ in awkward.randomElement(using: &generator)! }.joined() }
        let items = texts.enumerated().map { Self.summary($0.offset, text: $0.element, using: &generator) }
        let pages = [
            Components.Schemas.FaxPage(items: items, nextCursor: "MjAyNi0xMi0wMiAxNDowMzoxMS4wMDB8YWJj"),
            Components.Schemas.FaxPage(items: Array(items.prefix(50)), nextCursor: nil),
            Components.Schemas.FaxPage(items: [], nextCursor: nil),
        ]
        for page in pages {
            let written = try FaxPageJSON.encode(page, dates: RFC3339DateTranscoder())
            let expected = try await Self.generated(page)
            #expect(written == expected)
            if written != expected {
                // The first difference, readable.
                let at = (0..<min(written.count, expected.count)).first { written[$0] != expected[$0] } ?? min(written.count, expected.count)
                Issue.record("differs at \(at): \(String(decoding: written[max(0, at - 40)..<min(written.count, at + 40)], as: UTF8.self))")
            }
        }
    }
}
