import FaxlineServer
import Foundation
import Testing

@Suite("faxline.conf: the file format")
struct ConfigurationFileTests {
    static let unixText = "; faxline\n[general]\nlines = 8 # eight\nreserve_inbound = 2\n\n[retention]\ncleanup_time = off\n"

    /// Found by fuzzing: a file with Windows line endings read as one long line (a String
    /// splits "\r\n" as one character, never at "\n") and stopped the server with a wrong error.
    @Test func windowsLineEndingsReadTheSame() throws {
        let unix = try ConfigurationFile(parsing: Self.unixText)
        let windows = try ConfigurationFile(parsing: Self.unixText.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(unix.entries.count == 3)
        #expect(windows == unix)
        var configuration = FaxlineConfiguration(dataDirectory: "/var/lib/faxline")
        try configuration.apply(windows)
        #expect(configuration.lines == 8)
        #expect(configuration.reserveInbound == 2)
        #expect(configuration.cleanupSchedule == nil)
    }

    @Test func lineNumbersCountEveryLineEnding() throws {
        let file = try ConfigurationFile(parsing: "[general]\r\n\r\nlines = 3\n\r\necm = no\r\n")
        #expect(file.entries.map(\.line) == [3, 5])
    }
}
