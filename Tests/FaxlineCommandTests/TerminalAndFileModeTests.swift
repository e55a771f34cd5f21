import Foundation
import StoreTestSupport
import Testing

@testable import faxline

@Suite("The CLI: what it prints and what it creates")
struct TerminalAndFileModeTests {
    @Test("list tables drop control characters a caller or a far end put into their text")
    func tablesAreClean() {
        let table = TextTable.render(header: ["NUMBER", "REASON"], rows: [["555\u{1B}[2J", "far end \u{1B}]0;owned\u{07}\u{202E}x"]])
        #expect(!table.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        #expect(table.contains("555[2J") && table.contains("far end ]0;owned"))
    }

    @Test("the program's umask: what a command creates is closed to other users, whatever umask it was started with")
    func commandsCreateNothingOthersCanRead() throws {
        let folder = try TemporaryFolder()
        let text = folder.path + "/note.txt"
        try "a fax\n".write(toFile: text, atomically: true, encoding: .utf8)
        let out = folder.path + "/preview/deeper"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("faxline")
        process.arguments = ["convert", "--out", out, text]
        process.standardOutput = FileHandle.nullDevice
        let previous = umask(0o022)  // the usual umask: files 644, folders 755
        defer { umask(previous) }
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        var created = [folder.path + "/preview", out]
        created += try FileManager.default.contentsOfDirectory(atPath: out).map { out + "/" + $0 }
        #expect(created.count > 3)
        for path in created {
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o007 == 0, "\(path) has mode \(String(info.st_mode & 0o7777, radix: 8))")
        }
    }
}
