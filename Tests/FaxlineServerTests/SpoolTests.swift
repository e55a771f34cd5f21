import FaxlineServer
import Foundation
import StoreTestSupport
import Testing

/// Placing a finished file: whole, private, and the temporary name gone; a file that cannot be
/// placed is an error naming it, and nothing appears where a record could point.
@Suite struct SpoolTests {
    let folder: TemporaryFolder
    let spool: Spool

    init() throws {
        folder = try TemporaryFolder()
        spool = Spool(root: folder.path + "/spool")
        try spool.prepare()
    }

    @Test func aPlacedFileIsWholePrivateAndUnderItsNewName() throws {
        let temporary = spool.temporaryFile("job-1.tif")
        let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: URL(fileURLWithPath: temporary))
        let placed = try spool.place(temporary, at: "out/2026/job-1.tif")
        #expect(placed.relativePath == "out/2026/job-1.tif")
        #expect(try Data(contentsOf: URL(fileURLWithPath: spool.absolute("out/2026/job-1.tif"))) == bytes)
        #expect(!FileManager.default.fileExists(atPath: temporary))
        let mode = try FileManager.default.attributesOfItem(atPath: spool.absolute("out/2026/job-1.tif"))[.posixPermissions] as? Int
        #expect(mode == 0o640)
    }

    @Test func aMissingTemporaryFileIsAnErrorAndPlacesNothing() throws {
        #expect {
            try spool.place(spool.temporaryFile("gone.tif"), at: "in/2026/gone.tif")
        } throws: { error in
            "\(error)" == "cannot move in/2026/gone.tif into the spool: No such file or directory"
        }
        #expect(!FileManager.default.fileExists(atPath: spool.absolute("in/2026/gone.tif")))
    }
}
