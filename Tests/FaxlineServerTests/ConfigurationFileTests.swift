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

    /// Found by fuzzing: a stray CR inside a line (old Mac line endings, a bad copy and paste)
    /// stayed in the key, and the server stopped on "unknown setting 'lines\r'".
    @Test func strayCarriageReturnsAreBlankSpaceLikeTheRest() throws {
        let file = try ConfigurationFile(parsing: "[ mail\r]\nsmtp_port\r= 587\nfrom =\r fax@example.com\n")
        #expect(file.entries.map { [$0.section, $0.key, $0.value] } == [["mail", "smtp_port", "587"], ["mail", "from", "fax@example.com"]])
    }
}
