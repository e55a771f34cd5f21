import Foundation
import Mail
import Testing

@Suite("MIME stream parser")
struct MIMEStreamParserTests {
    static func parse(_ chunks: [[UInt8]], limits: MIMEStreamParser.Limits = .init()) throws(MIMEError) -> MIMEOutline {
        var parser = MIMEStreamParser(limits: limits)
        var events: [MIMEEvent] = []
        for chunk in chunks { events += try parser.feed(chunk) }
        events += try parser.finish()
        return MIMEOutline(events)
    }

    /// Parses `message` whole, byte by byte and split at every position; all must agree.
    static func parseOnEverySplit(_ message: String) throws -> MIMEOutline {
        let bytes = Array(message.utf8)
        let whole = try parse([bytes])
        for chunks in SMTPSessionHarness.chunkings(of: bytes).dropFirst() {
            let outline = try parse(chunks)
            #expect(outline == whole, "chunks \(chunks.map(\.count))")
            if outline != whole { break }
        }
        return whole
    }

    @Test func thunderbirdMessage() throws {
        let outline = try Self.parseOnEverySplit(MIMETestMessages.thunderbird)
        #expect(outline.structure == [
            "multipart/mixed", "multipart/alternative", "part text/plain", "part text/html", "end",
            "part application/pdf \"Rechnung März.pdf\"", "end",
        ])
        #expect(outline.header?.subject == "Rechnung März – bitte prüfen")
        #expect(outline.header?.from == "Jörg Müller <joerg@example.com>")
        #expect(outline.header?.decodedFields(withPrefix: "x-fax-") == [MIMEHeaderField(name: "X-Fax-Priority", value: "high")])
        #expect(outline.text(0) == "Hallo,\r\n\r\nanbei die Rechnung für März. Bitte die Summe \r\nprüfen.\r\n\r\n-- \r\nJörg\r\n")
        #expect(outline.text(1).hasSuffix("</body></html>\r\n"))
        #expect(outline.bodies[2] == MIMETestMessages.pdfBytes)
        #expect(outline.parts[0].enclosingMultiparts == ["mixed", "alternative"])
        #expect(outline.parts[0].contentType[parameter: "format"] == "flowed")
        #expect(outline.parts[2].isDeclaredAttachment)
        #expect(outline.parts[2].number == 5)
    }

    @Test func outlookMessage() throws {
        let outline = try Self.parseOnEverySplit(MIMETestMessages.outlook)
        #expect(outline.structure == [
            "multipart/mixed", "multipart/related", "multipart/alternative", "part text/plain", "part text/html", "end",
            "part image/png \"image001.png\"", "end", "part application/pdf \"Angebot für Kunde.pdf\"", "end",
        ])
        #expect(outline.header?.from == "Fränzi Ober <franzi@example.com>")
        #expect(String(data: Data(outline.bodies[0]), encoding: .isoLatin1) == """
            Sehr geehrte Damen und Herren,\r
            \r
            anbei unser Angebot für die Wartung. Dies ist eine sehr lange Zeile, die Outlook umbricht.\r
            \r
            Mit freundlichen Grüßen\r
            Fränzi Ober\r

            """)
        #expect(outline.text(1).contains("<p class=\"MsoNormal\">anbei unser Angebot f\u{FFFD}r die Wartung.</p>"))
        #expect(outline.bodies[2] == MIMETestMessages.pngBytes)
        #expect(outline.parts[2].contentID == "image001.png@01DA1234.56789AB0")
        #expect(outline.parts[2].enclosingMultiparts == ["mixed", "related"])
        #expect(outline.bodies[3] == MIMETestMessages.pdfBytes)
    }

    @Test func appleMailMessage() throws {
        let outline = try Self.parseOnEverySplit(MIMETestMessages.appleMail)
        #expect(outline.structure == [
            "multipart/alternative", "part text/plain", "multipart/mixed", "part text/html",
            "part application/pdf \"Vertrag Straße 12.pdf\"", "part text/html", "end", "end",
        ])
        #expect(outline.header?.from == "Clémence Dürand <c@example.com>")
        #expect(outline.text(0) == "Hier der Vertrag.\r\n\r\nGrüße\r\n")
        #expect(outline.text(1).hasSuffix("<br><br></body></html>"))
        #expect(outline.bodies[2] == MIMETestMessages.pdfBytes)
        #expect(outline.parts[2].contentType[parameter: "name"] == "Vertrag Straße 12.pdf")
    }

    @Test func messageWithLineFeedsOnlyReadsTheSame() throws {
        let crlf = try Self.parse([Array(MIMETestMessages.thunderbird.utf8)])
        let lf = try Self.parseOnEverySplit(MIMETestMessages.thunderbird.replacingOccurrences(of: "\r\n", with: "\n"))
        #expect(lf.structure == crlf.structure)
        #expect(lf.bodies[2] == MIMETestMessages.pdfBytes)
        #expect(lf.text(0) == crlf.text(0).replacingOccurrences(of: "\r\n", with: "\n"))
    }

    @Test func singlePartMessageKeepsItsLastLineBreak() throws {
        let outline = try Self.parseOnEverySplit("Subject: hi\r\n\r\nline one\r\nline two\r\n")
        #expect(outline.structure == ["part text/plain"])
        #expect(outline.text(0) == "line one\r\nline two\r\n")
        #expect(try Self.parse([Array("Subject: only a header\r\n".utf8)]).bodies == [[]])
        #expect(try Self.parse([Array("no header at all\r\n".utf8)]).text(0) == "no header at all\r\n")
    }

    @Test func longLinesInsideMultipartsPassThroughWhole() throws {
        let longLine = String(repeating: "0123456789", count: 30)
        let message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            + longLine + "\r\n" + longLine + "\r\n--b--\r\n"
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.text(0) == longLine + "\r\n" + longLine)
    }

    @Test func boundaryLookalikesAreContent() throws {
        let message = """
            Content-Type: multipart/mixed; boundary="abc"\r
            \r
            --abc\r
            \r
            --abcd is not it\r
            -- abc neither\r
            --abc-- x is not a close\r
            --abc  \r
            \r
            second\r
            --abc--\t\r
            epilogue --abc\r

            """
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.bodies.map { String(decoding: $0, as: UTF8.self) } == [
            "--abcd is not it\r\n-- abc neither\r\n--abc-- x is not a close", "second",
        ])
    }

    /// Found by the fuzzer (Fuzz/Findings/mime/boundary-padding-longer-than-the-window): a
    /// boundary line with 100 spaces of padding was a boundary when it came in one read and
    /// content when it was cut, because only the cut line was held to the padding limit.
    @Test("a boundary line's padding counts the same whole or cut, up to 64 blanks, for an outer boundary too")
    func boundaryPaddingHasOneLimit() throws {
        let padding = { (count: Int) in String(repeating: " ", count: count) }
        let message = "Content-Type: multipart/mixed; boundary=outer-boundary\r\n\r\n"
            + "--outer-boundary\r\nContent-Type: multipart/alternative; boundary=in\r\n\r\n"
            + "--in" + padding(64) + "\r\n\r\nfirst\r\n"
            + "--in" + padding(65) + "\r\n"
            + "--in--" + padding(64) + "\r\n"
            + "--outer-boundary--" + padding(64) + "\r\n"
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.structure == ["multipart/mixed", "multipart/alternative", "part text/plain", "end", "end"])
        #expect(outline.text(0) == "first\r\n--in" + padding(65))

        // With 65 blanks the closing line of the outer multipart is not one: it stays open.
        Self.expectError(.missingClosingBoundary(subtype: "mixed"),
                         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--" + padding(65) + "\r\n")
    }

    @Test func quotedPrintableDetails() throws {
        let message = """
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            soft=\r
            break, trailing spaces   \r
            =3D =E2=82=AC =zz =4\r
            end=\r

            """
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.text(0) == "softbreak, trailing spaces\r\n= € =zz =4\r\nend")
    }

    @Test func digestPartsDefaultToMessages() throws {
        let message = "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: inner\r\n\r\nx\r\n--d--\r\n"
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.structure == ["multipart/digest", "part message/rfc822", "end"])
        #expect(outline.text(0) == "Subject: inner\r\n\r\nx")
    }

    @Test func attachedMessagesAreNotOpened() throws {
        let message = """
            Content-Type: multipart/mixed; boundary=outer\r
            \r
            --outer\r
            Content-Type: message/rfc822\r
            Content-Disposition: attachment; filename="forwarded.eml"\r
            \r
            Content-Type: multipart/mixed; boundary=inner\r
            \r
            --inner\r
            \r
            hidden\r
            --inner--\r
            --outer--\r

            """
        let outline = try Self.parseOnEverySplit(message)
        #expect(outline.structure == ["multipart/mixed", "part message/rfc822 \"forwarded.eml\"", "end"])
        #expect(outline.text(0).contains("--inner--"))
    }

    // MARK: - Malformed input

    static func expectError(_ error: MIMEError, _ message: String, limits: MIMEStreamParser.Limits = .init()) {
        for chunks in SMTPSessionHarness.chunkings(of: Array(message.utf8)) {
            #expect(throws: error, "chunks \(chunks.map(\.count))") { try Self.parse(chunks, limits: limits) }
        }
    }

    @Test func missingClosingBoundary() {
        Self.expectError(.missingClosingBoundary(subtype: "mixed"),
                         "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ntext\r\n")
        Self.expectError(.missingClosingBoundary(subtype: "mixed"),
                         "Content-Type: multipart/mixed; boundary=b\r\n\r\nno delimiter ever\r\n")
        // The outer boundary while the inner multipart is open.
        Self.expectError(.missingClosingBoundary(subtype: "alternative"), """
            Content-Type: multipart/mixed; boundary=o\r
            \r
            --o\r
            Content-Type: multipart/alternative; boundary=i\r
            \r
            --i\r
            \r
            a\r
            --o--\r

            """)
    }

    @Test func multipartWithoutBoundary() {
        Self.expectError(.multipartWithoutBoundary(subtype: "mixed"), "Content-Type: multipart/mixed\r\n\r\nbody\r\n")
        Self.expectError(.boundaryTooLong(limit: 200), "Content-Type: multipart/mixed; boundary=\(String(repeating: "b", count: 201))\r\n\r\n")
    }

    @Test func truncatedAndInvalidBase64() {
        let truncated = """
            Content-Type: multipart/mixed; boundary=b\r
            \r
            --b\r
            Content-Type: application/pdf; name=doc.pdf\r
            Content-Transfer-Encoding: base64\r
            \r
            JVBERi0xLjQK\r
            JVBERi\r
            --b--\r

            """
        Self.expectError(.truncatedBase64(part: "part 2 (\"doc.pdf\")"), truncated)
        let invalid = "Content-Transfer-Encoding: base64\r\n\r\nJVBE*i0x\r\n"
        Self.expectError(.invalidBase64(part: "part 1 (text/plain)", position: 4), invalid)
        #expect("\(MIMEError.truncatedBase64(part: "part 2 (\"doc.pdf\")"))" == "part 2 (\"doc.pdf\") is cut off: its base64 data ends in the middle")
    }

    @Test func headerLimits() {
        var limits = MIMEStreamParser.Limits()
        limits.maximumHeaderLineLength = 40
        Self.expectError(.headerLineTooLong(limit: 40), "Subject: " + String(repeating: "x", count: 40) + "\r\n\r\n", limits: limits)
        limits = MIMEStreamParser.Limits()
        limits.maximumHeaderFieldLength = 50
        Self.expectError(.headerFieldTooLong(limit: 50), "Subject: a\r\n" + String(repeating: " folded line\r\n", count: 5) + "\r\n", limits: limits)
        limits = MIMEStreamParser.Limits()
        limits.maximumHeaderFields = 3
        Self.expectError(.tooManyHeaderFields(limit: 3), "A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits: limits)
        limits = MIMEStreamParser.Limits()
        limits.maximumHeaderBytes = 100
        Self.expectError(.headerTooLarge(limit: 100), String(repeating: "Received: from somewhere\r\n", count: 5) + "\r\n", limits: limits)
        // At the limits, all is well.
        limits = MIMEStreamParser.Limits()
        limits.maximumHeaderFields = 4
        limits.maximumHeaderLineLength = 4
        #expect(throws: Never.self) { try Self.parse([Array("A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n".utf8)], limits: limits) }
    }

    @Test func nestingAndPartLimits() {
        var limits = MIMEStreamParser.Limits()
        limits.maximumDepth = 2
        var nested = ""
        for depth in 0..<3 { nested += "Content-Type: multipart/mixed; boundary=b\(depth)\r\n\r\n--b\(depth)\r\n" }
        Self.expectError(.nestingTooDeep(limit: 2), nested, limits: limits)
        limits = MIMEStreamParser.Limits()
        limits.maximumParts = 3
        let many = "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + String(repeating: "--b\r\n\r\nx\r\n", count: 3) + "--b--\r\n"
        Self.expectError(.tooManyParts(limit: 3), many, limits: limits)
    }

    @Test func emptyInput() {
        #expect(throws: MIMEError.emptyMessage) { try Self.parse([]) }
        #expect(throws: MIMEError.emptyMessage) { try Self.parse([[]]) }
    }

    @Test func afterAnErrorTheParserStaysFailed() {
        var parser = MIMEStreamParser()
        #expect(throws: MIMEError.self) { try parser.feed(Array("Content-Type: multipart/mixed\r\n\r\n".utf8)) }
        #expect(throws: MIMEError.multipartWithoutBoundary(subtype: "mixed")) { try parser.feed(Array("more".utf8)) }
        #expect(throws: MIMEError.multipartWithoutBoundary(subtype: "mixed")) { try parser.finish() }
    }

    @Test func bodyDataIsPassedOnAsItArrives() throws {
        // Each piece of input yields its decoded bytes at once: nothing piles up in the parser.
        let piece = Array(String(repeating: "0123456789abcdef", count: 4096).utf8)
        var parser = MIMEStreamParser()
        _ = try parser.feed(Array("Content-Type: application/octet-stream\r\n\r\n".utf8))
        for _ in 0..<3 {
            let data = try parser.feed(piece).compactMap { event -> [UInt8]? in
                if case .partData(let bytes) = event { return bytes }
                return nil
            }
            #expect(data.joined().count == piece.count)
        }
        #expect(try parser.finish() == [.partEnd])
    }
}
