import Foundation

/// What a file is, decided by its first bytes and never by its name: a `.pdf` that is really a
/// script, or a fax saved as `.txt`, is treated as what it is.
public enum DocumentType: String, Sendable, Equatable, CaseIterable {
    case pdf
    case postScript
    case tiff
    case png
    case jpeg
    case text
    case office

    /// How many bytes detection looks at.
    static let sniffLength = 8192

    public static func detect(path: String) throws(DocumentError) -> DocumentType {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "the file does not exist or cannot be read")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: sniffLength)) ?? Data())
        guard !head.isEmpty else { throw .emptyFile(path: path) }
        if let type = detect(head: head) { return type }
        throw .unknownType(path: path)
    }

    static func detect(head: [UInt8]) -> DocumentType? {
        func starts(_ prefix: [UInt8]) -> Bool { head.starts(with: prefix) }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        // Some producers put junk before the header; readers accept it within the first kilobyte.
        if let range = head.prefix(1024).firstRange(of: Array("%PDF-".utf8)), range.lowerBound < 1024 { return .pdf }
        if starts(Array("%!".utf8)) || starts([0xC5, 0xD0, 0xD3, 0xC6]) { return .postScript }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) || starts(Array("{\\rtf".utf8)) { return .office }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            // A zip is an Office document only if it says so: OOXML parts or an OpenDocument mimetype.
            let markers = ["[Content_Types].xml", "word/", "xl/", "ppt/", "mimetypeapplication/vnd.oasis.opendocument"]
            for marker in markers where head.firstRange(of: Array(marker.utf8)) != nil { return .office }
            return nil
        }
        if looksLikeText(head) { return .text }
        return nil
    }

    /// Text has no NUL and almost no control bytes; it may be UTF-8 or a single-byte code page.
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        var control = 0
        for byte in bytes {
            if byte == 0 { return false }
            if byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C { control += 1 }
        }
        return control * 100 <= bytes.count
    }
}
