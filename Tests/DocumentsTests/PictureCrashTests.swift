@testable import Documents
import Foundation
import Testing

/// Headers that lie about their size get a clear error; nothing is computed from them before
/// it is checked.
@Suite struct PictureCrashTests {
    @Test func aPNGDeclaringFourBillionSquaredPixelsIsRefused() async throws {
        #expect(TestPNG.overflowing.count == 68)
        let path = try TestPNG.write(TestPNG.overflowing, name: "overflow.png")
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        do {
            try await DocumentConverter().convert([path], to: output)
            Issue.record("converted")
        } catch {
            #expect(error.description.hasPrefix(path))
            guard case .damaged(_, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(reason.hasPrefix("PNG: "), "\(reason)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// Found writing the tiff fuzz target (its input is in Fuzz/Findings/tiff): libtiff accepts a
    /// page of 4294967295 × 4294967295, and the fax TIFF reader (PDF writer, preview, page chop)
    /// trapped on the pixel count.
    @Test func aFaxTIFFDeclaringFourBillionSquaredPixelsIsRefused() throws {
        let path = try TestPNG.write(TestTIFF.headerOnly(pages: 1, width: 0xFFFF_FFFF, height: 0xFFFF_FFFF), name: "overflow.tif")
        let reader = try FaxTIFFReader(path: path)
        #expect(reader.pages.first?.width == 0xFFFF_FFFF)
        do {
            _ = try reader.bitmap(page: 0)
            Issue.record("decoded")
        } catch {
            guard case .tooLarge(let errorPath, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(errorPath == path)
            #expect(reason.contains("4294967295×4294967295"), "\(reason)")
        }
    }
}
