import FaxCore
import Foundation
import Testing

@Suite("Job tags: the submitter's own reference")
struct JobTagTests {
    @Test("white space at the ends is dropped; 1 to 50 characters of any script are kept as written")
    func accepted() throws {
        #expect(try JobTag("  Offer 4711 \n").text == "Offer 4711")
        #expect(try JobTag("Kostenstelle Müller – Angebot").text == "Kostenstelle Müller – Angebot")
        #expect(try JobTag(String(repeating: "x", count: 50)).text.count == 50)
        #expect(try JobTag(String(repeating: "ü", count: 50)).text.count == 50)
    }

    @Test("empty, too long or with control or invisible direction characters: one message naming the limit", arguments: [
        "", "   ", String(repeating: "x", count: 51), "Offer\u{7}4711", "Offer\n4711", "Offer\t4711", "\u{1B}[2J",
        "Offer\u{202E}1174", "Offer\u{85}4711", "Offer\u{2028}4711",
    ])
    func refused(text: String) {
        let error = #expect(throws: FaxValidationError.self) { try JobTag(text) }
        #expect(error?.field == "tag")
        #expect(error?.description.contains("must be 1 to 50 characters without control characters") == true, "\(String(describing: error))")
    }

    @Test("a tag that is too long says how long it is; the field is named as the user wrote it")
    func tooLongSaysItsLength() {
        let error = #expect(throws: FaxValidationError.self) { try JobTag(String(repeating: "y", count: 73), field: "X-Fax-Tag") }
        #expect(error?.field == "X-Fax-Tag")
        #expect(error?.description.contains("(it has 73)") == true)
    }

    @Test("an optional input: absent or blank is no tag, anything else follows the rules")
    func optionalInput() throws {
        #expect(try JobTag.optional(nil) == nil)
        #expect(try JobTag.optional("  ") == nil)
        #expect(try JobTag.optional(" A-12 ")?.text == "A-12")
        #expect(throws: FaxValidationError.self) { try JobTag.optional(String(repeating: "z", count: 51)) }
    }

    @Test("stored with the job as plain text; decoding checks the rules again")
    func codable() throws {
        let job = try Job(number: "5550100", document: SpoolPath("out/a.tif"), pageCount: 1, tag: JobTag("Offer 4711"))
        let data = try JSONEncoder().encode(job)
        #expect(String(decoding: data, as: UTF8.self).contains("\"tag\":\"Offer 4711\""))
        #expect(try JSONDecoder().decode(Job.self, from: data).tag == job.tag)
        let untagged = try JSONEncoder().encode(try Job(number: "5550100", document: SpoolPath("out/a.tif"), pageCount: 1))
        #expect(try JSONDecoder().decode(Job.self, from: untagged).tag == nil)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JobTag.self, from: Data(#""a\u0007b""#.utf8)) }
    }
}
