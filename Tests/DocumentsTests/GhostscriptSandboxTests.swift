@testable import Documents
import Foundation
import Testing

/// With -dSAFER alone, Ghostscript lets a document read, write and delete files in the
/// temporary folder. A document that tries is stopped with a clear error and changes nothing;
/// one that tries and carries on (`stopped`) converts as if the files were not there.
@Suite struct GhostscriptSandboxTests {
    /// Files in the real /tmp and in this process's own temporary folder (TMPDIR when set),
    /// where a document could look for other people's faxes.
    struct Bait {
        let folders: [String]
        let token = UUID().uuidString.prefix(8)

        init() {
            folders = Array(Set(["/tmp", FileManager.default.temporaryDirectory.path]))
        }

        func path(_ name: String, in folder: String) -> String { "\(folder)/faxline-bait-\(token)-\(name)" }

        /// A secret to read, a victim to delete and one to rename, in every folder.
        func lay() throws {
            for folder in folders {
                for name in ["secret", "victim", "renamed-victim"] {
                    try Data("\(name) \(token)".utf8).write(to: URL(fileURLWithPath: path(name, in: folder)))
                }
            }
        }

        /// Every bait file is as laid and nothing new appeared.
        func expectUntouched(_ comment: Comment) throws {
            for folder in folders {
                for name in ["secret", "victim", "renamed-victim"] {
                    let content = FileManager.default.contents(atPath: path(name, in: folder))
                    #expect(content == Data("\(name) \(token)".utf8), "\(comment): \(name) in \(folder)")
                }
                for name in ["written", "moved"] {
                    #expect(!FileManager.default.fileExists(atPath: path(name, in: folder)), "\(comment): \(name) in \(folder)")
                }
            }
        }

        func clear() {
            for folder in folders {
                for name in ["secret", "victim", "renamed-victim", "written", "moved"] {
                    try? FileManager.default.removeItem(atPath: path(name, in: folder))
                }
            }
        }

        /// PostScript that tries one file operation on every folder's bait.
        func attempt(_ operation: Operation) -> String {
            folders.map { folder in
                switch operation {
                case .read:
                    return "(\(path("secret", in: folder))) (r) file 100 string readstring pop 72 700 moveto show"
                case .write:
                    return "(\(path("written", in: folder))) (w) file dup (owned) writestring closefile"
                case .delete:
                    return "(\(path("victim", in: folder))) deletefile"
                case .rename:
                    return "(\(path("renamed-victim", in: folder))) (\(path("moved", in: folder))) renamefile"
                }
            }.joined(separator: "\n")
        }
    }

    enum Operation: String, CaseIterable, Sendable {
        case read, write, delete, rename
    }

    func write(_ program: String, name: String) throws -> String {
        let path = TestDocuments.directory(name).appendingPathComponent(name + ".ps").path
        try Data(program.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func convert(_ file: String) async throws -> FaxTIFFReader {
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        try await DocumentConverter(options: ConversionOptions(pageChop: .none, timeLimit: .seconds(60))).convert([file], to: output)
        return try FaxTIFFReader(path: output)
    }

    @Test(arguments: Operation.allCases)
    func aDocumentThatTouchesTheTemporaryFolderIsRefused(operation: Operation) async throws {
        let bait = Bait()
        try bait.lay()
        defer { bait.clear() }
        let program = "%!PS\n/Courier findfont 12 scalefont setfont\n\(bait.attempt(operation))\n72 600 moveto (done) show showpage\n"
        let document = try write(program, name: "attempt-\(operation.rawValue)")
        do {
            _ = try await convert(document)
            Issue.record("\(operation): the document converted")
        } catch let error as DocumentError {
            #expect(error == .fileAccessRefused(path: document), "\(operation)")
            #expect(error.description.contains("files outside itself"))
        }
        try bait.expectUntouched("\(operation)")
    }

    @Test func attemptsTheDocumentCatchesChangeNothing() async throws {
        let bait = Bait()
        try bait.lay()
        defer { bait.clear() }
        // Each attempt in `stopped`, falling back to drawing a box: the page must be exactly the
        // page of a document that only draws the boxes, so nothing was read either.
        let guarded = Operation.allCases.enumerated().map { index, operation in
            "{ \(bait.attempt(operation)) } stopped { 72 \(600 - 40 * index) 20 20 rectfill } if"
        }.joined(separator: "\n")
        let boxes = Operation.allCases.indices.map { "72 \(600 - 40 * $0) 20 20 rectfill" }.joined(separator: "\n")
        let font = "%!PS\n/Courier findfont 12 scalefont setfont\n"
        let document = try write(font + guarded + "\nshowpage\n", name: "guarded")
        let attempted = try await convert(document)
        let expected = try await convert(try write(font + boxes + "\nshowpage\n", name: "boxes"))
        try bait.expectUntouched("guarded attempts")
        // Ghostscript read it through a link in its sandbox; removing the sandbox left it alone.
        #expect(FileManager.default.contents(atPath: document) == Data((font + guarded + "\nshowpage\n").utf8))
        #expect(attempted.pageCount == 1)
        #expect(try attempted.bitmap(page: 0) == expected.bitmap(page: 0))
        #expect(try attempted.bitmap(page: 0).blackPixelCount > 1000)
    }
}
