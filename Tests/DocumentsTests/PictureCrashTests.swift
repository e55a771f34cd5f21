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
}
