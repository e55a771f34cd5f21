import Foundation
import Testing

@testable import FaxCore

/// The small words of the admin's commands: fax id prefixes, counts, errors of the libraries.
@Suite struct OperationsWordsTests {
    @Test func faxIDPrefixes() throws {
        #expect(try FaxIDPrefix("3F2C1A9B").text == "3f2c1a9b")
        #expect(try FaxIDPrefix("3f2c1a9b-0000-4000-8000-000000000001").matches("3F2C1A9B-0000-4000-8000-000000000001"))
        for bad in ["", "3f2g", "../etc", "3f2c 1a", "3f2c1a9b-0000-4000-8000-0000000000012", "٣f2c"] {
            #expect(throws: FaxValidationError.self, "\(bad)") { try FaxIDPrefix(bad) }
        }
        let ambiguous = FaxLookupError.ambiguous("3f", candidates: ["3f2c… one", "3f9a… two"], more: true)
        #expect(ambiguous.description == "3f names more than one fax; give more of the id:\n  3f2c… one\n  3f9a… two\n  …")
        #expect(FaxLookupError.noSuchFax("42").description == "no fax 42")
    }

    @Test func counts() {
        #expect(Plural.count(1, "page") == "1 page")
        #expect(Plural.count(0, "page") == "0 pages")
        #expect(Plural.count(3, "fax", "faxes") == "3 faxes")
        #expect(Plural.count(Int64(1), "byte") == "1 byte")
    }

    @Test("Foundation's file errors become the reason and the file, never NSCocoaErrorDomain")
    func fileErrors() {
        do {
            _ = try String(contentsOfFile: "/nonexistent/faxline.conf", encoding: .utf8)
            Issue.record("read a file that does not exist")
        } catch {
            let words = ErrorWords.describe(error)
            #expect(words == "/nonexistent/faxline.conf: No such file or directory")
            #expect(!words.contains("Domain") && !words.contains("Code="))
        }
        do {
            try FileManager.default.copyItem(atPath: "/etc/hostname", toPath: "/etc/hostname")
            Issue.record("copied a file onto itself")
        } catch {
            #expect(!ErrorWords.describe(error).contains("NSCocoaErrorDomain"))
            #expect(ErrorWords.describe(error).contains("File exists"))
        }
    }

    @Test("a decoding error says where the data is wrong, not a Swift value dump")
    func decodingErrors() {
        struct Status: Decodable { var lines: [Int] }
        do {
            _ = try JSONDecoder().decode(Status.self, from: Data(#"{"lines": ["x"]}"#.utf8))
            Issue.record("decoded a string as a number")
        } catch {
            let words = ErrorWords.describe(error)
            #expect(words.hasPrefix("the data is not in the expected format at lines[0]"))
            #expect(!words.contains("typeMismatch") && !words.contains("CodingKeys"))
        }
    }

    @Test func ownErrorsDescribeThemselves() {
        #expect(ErrorWords.describe(RepositoryError.notFound("fax 42")) == "fax 42 not found")
        #expect(ErrorWords.describe(CancellationError()) == "cancelled (Faxline is stopping)")
    }
}
