@testable import Documents
import Foundation
import Testing

@Suite struct DocumentTypeTests {
    @Test(arguments: [
        ("%PDF-1.7\n", DocumentType.pdf),
        ("\n\n%PDF-1.4\n", .pdf),
        ("%!PS-Adobe-3.0\n", .postScript),
        ("{\\rtf1\\ansi Hello}", .office),
        ("Dear Sir,\r\nplease find attached…\n", .text),
    ])
    func typeComesFromTheContent(head: String, type: DocumentType) {
        #expect(DocumentType.detect(head: Array(head.utf8)) == type)
    }

    @Test func binarySignatures() {
        #expect(DocumentType.detect(head: [0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0]) == .tiff)
        #expect(DocumentType.detect(head: [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]) == .tiff)
        #expect(DocumentType.detect(head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(DocumentType.detect(head: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(DocumentType.detect(head: [0x50, 0x4B, 0x03, 0x04] + Array("....word/document.xml".utf8)) == .office)
        // A zip that is not an Office document, and random binary, are unknown.
        #expect(DocumentType.detect(head: [0x50, 0x4B, 0x03, 0x04] + Array("....photos/cat.jpg".utf8)) == nil)
        #expect(DocumentType.detect(head: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]) == nil)
    }

    @Test func userTextBecomesOnlyHexDigits() {
        let hostile = "a) show } { (b> <c \\ % quit"
        let hex = PostScriptProgram.hexString(hostile)
        #expect(hex.first == "<" && hex.last == ">")
        #expect(hex.dropFirst().dropLast().allSatisfy { $0.isHexDigit })
        #expect(PostScriptProgram.hexString("é–€") == "<E92D455552>")
    }
}
