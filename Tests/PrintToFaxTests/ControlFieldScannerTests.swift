import FaxCore
import FaxTestSupport
import Testing

/// The control fields of a printed fax: found however the text is cut, with limits.
@Suite struct ControlFieldScannerTests {
    func scan(_ chunks: [[UInt8]]) throws -> [ControlFieldScanner.Field] {
        var scanner = ControlFieldScanner()
        for chunk in chunks { try scanner.feed(chunk) }
        return scanner.fields
    }

    @Test("the same fields on every split of the text", arguments: [
        "Dear Sir, @@+FAX:555 0100@@ and @@+fax:+1 (555) 010-0101@@ @@+PRIO:high@@ end",
        "@@@+TAG: order 4711 @@@ x@@+NOTIFY:me@example.com@@",
        "@@+FAX:5550100\nwrapped@@@@+FAX:5550102@@",
        "@ @@ @@+ @@+FAX @@+:x@@ @@+FAX:1@",
    ])
    func everySplit(text: String) throws {
        let whole = try ControlFieldScanner.fields(in: text)
        for chunks in Chunkings.of(Array(text.utf8)) {
            #expect(try scan(chunks) == whole)
        }
    }

    @Test func findsNamesValuesAndPlaces() throws {
        let text = "Dear Sir, @@+FAX:555 0100@@ and @@+fax: +1 (555) 010-0101 @@ @@@+TAG:x@y@@"
        let fields = try ControlFieldScanner.fields(in: text)
        #expect(fields.map(\.name) == ["FAX", "FAX", "TAG"])
        #expect(fields.map(\.value) == ["555 0100", "+1 (555) 010-0101", "x@y"])
        let bytes = Array(text.utf8)
        #expect(fields.map { String(decoding: bytes[$0.range], as: UTF8.self) }
            == ["@@+FAX:555 0100@@", "@@+fax: +1 (555) 010-0101 @@", "@@+TAG:x@y@@"])
    }

    @Test("not fields: no colon, a bad name, unclosed, over the length limit")
    func notFields() throws {
        let long = "@@+TAG:" + String(repeating: "x", count: ControlFieldScanner.maximumFieldLength) + "@@"
        #expect(try ControlFieldScanner.fields(in: "@@+FAX 5550100@@ @@+F4X:1@@ @@+:1@@ @@+FAX:5550100").isEmpty)
        #expect(try ControlFieldScanner.fields(in: long).isEmpty)
        // After an overlong one, the next field is still found.
        #expect(try ControlFieldScanner.fields(in: long + " @@+FAX:1@@").map(\.value) == ["1"])
    }

    @Test func tooManyFieldsIsAnError() {
        let text = String(repeating: "@@+FAX:1@@", count: ControlFieldScanner.maximumFields + 1)
        #expect(throws: ControlFieldScanner.ScanError.tooManyFields(limit: ControlFieldScanner.maximumFields)) {
            try ControlFieldScanner.fields(in: text)
        }
        #expect(throws: Never.self) { try ControlFieldScanner.fields(in: String(text.dropFirst(10))) }
    }
}

@Suite struct PrintedFaxOptionsTests {
    func options(_ text: String) throws -> PrintedFaxOptions {
        try PrintedFaxOptions(fields: ControlFieldScanner.fields(in: text))
    }

    @Test func numbersAreNormalizedAndEachTakenOnce() throws {
        let read = try options("@@+FAX:+1 (555) 010-0100@@ @@+FAX:555.0101@@ @@+FAX:+15550100100@@")
        #expect(read.numbers == ["+15550100100", "5550101"])
        #expect(read.notification == .user)
        #expect(read.priority == nil)
    }

    @Test func priorityNotifyTagAndUnknownFields() throws {
        let read = try options("@@+PRIO:low@@ @@+NOTIFY:requeue@@ @@+TAG:Order 4711@@ @@+COVER:yes@@ @@+COVER:no@@")
        #expect(read.priority == Job.bulkPriority)
        #expect(read.notification == .userAlsoWhenRequeued)
        #expect(read.tag?.text == "Order 4711")
        #expect(read.unknownFields == ["COVER"])
        #expect(try options("@@+PRIO:high@@ @@+NOTIFY:boss@example.com@@").notification == .address("boss@example.com"))
        #expect(try options("@@+PRIO:12@@ @@+NOTIFY:no@@").priority == 12)
        #expect(try options("@@+NOTIFY:off@@").notification == .nobody)
    }

    @Test("a wrong value is an error that names the field", arguments: [
        ("@@+FAX:555-CALL-NOW@@", "fax number"),
        ("@@+FAX:5550100;5550101@@", "fax number"),
        ("@@+PRIO:300@@", "PRIO"),
        ("@@+NOTIFY:boss at example@@", "NOTIFY"),
        ("@@+TAG:" + String(repeating: "t", count: 51) + "@@", "TAG"),
    ])
    func wrongValues(text: String, field: String) throws {
        do {
            _ = try options(text)
            Issue.record("\(text) was accepted")
        } catch let error as FaxValidationError {
            #expect(error.field.contains(field))
        }
    }
}
