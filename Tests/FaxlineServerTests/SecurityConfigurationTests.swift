import FaxCore
import FaxTestSupport
import Foundation
import ServerSupport
import Testing

@testable import FaxlineServer

@Suite("Hardening: configuration, files, limits")
struct SecurityConfigurationTests {
    static func configuration(_ text: String) throws(ConfigurationError) -> FaxlineConfiguration {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/unused")
        try configuration.apply(ConfigurationFile(parsing: text))
        return configuration
    }

    @Test("the listener keys: allow-lists, the AGI key, caps, the connect timeout; and their defaults")
    func listenerKeys() throws {
        let defaults = FaxlineConfiguration(dataDirectory: "/tmp/unused")
        #expect(defaults.agiAllowList == .loopback && defaults.audioSocketAllowList == .loopback)
        #expect(defaults.agiSecret == nil)
        #expect(defaults.agiMaximumConnections == 4 * 4 + 16 && defaults.audioSocketMaximumConnections == 32)
        #expect(defaults.mediaConnectTimeout == .seconds(15))

        let configured = try Self.configuration("""
            [general]
            lines = 10
            [agi]
            allow = 192.0.2.10, loopback
            secret = 7f3a9c2e-b1d4-4e8f-a6c5
            [audiosocket]
            allow = 192.0.2.0/24
            max_connections = 100
            connect_timeout = 8
            """)
        #expect(configured.agiAllowList == (try PeerAllowList(parsing: "192.0.2.10 loopback")))
        #expect(configured.agiSecret?.revealed == "7f3a9c2e-b1d4-4e8f-a6c5")
        #expect(configured.agiMaximumConnections == 56)
        #expect(configured.audioSocketMaximumConnections == 100)
        #expect(configured.mediaConnectTimeout == .seconds(8))
        #expect(configured.audioSocketAllowList.allows(try .init(ipAddress: "192.0.2.77", port: 1)))
        #expect(!configured.audioSocketAllowList.allows(try .init(ipAddress: "127.0.0.1", port: 1)))
    }

    @Test("bad security settings name their line and what is wrong", arguments: [
        ("[agi]\nallow = pbx.example.com\n", "line 2 in [agi]: allow: \"pbx.example.com\" is not an IP address"),
        ("[audiosocket]\nallow = 10.0.0.0/40\n", "line 2 in [audiosocket]: allow"),
        ("[agi]\nsecret = short\n", "line 2 in [agi]: secret: at least 16"),
        ("[agi]\nsecret = has space in it 0123456\n", "line 2 in [agi]: secret"),
        ("[agi]\nmax_connections = 0\n", "line 2 in [agi]: max_connections"),
        ("[audiosocket]\nconnect_timeout = 3600\n", "line 2 in [audiosocket]: connect_timeout"),
        ("[mail]\nusername = fax\ntls = none\n", "line 3 in [mail]: tls: a username is set with tls = none"),
        ("[mail]\nallow_plaintext_auth = maybe\n", "line 2 in [mail]: allow_plaintext_auth"),
    ])
    func badValues(text: String, message: String) {
        #expect {
            _ = try Self.configuration(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("a password in clear only with tls = none and allow_plaintext_auth = yes")
    func plaintextLogin() throws {
        let allowed = try Self.configuration("[mail]\nusername = fax\npassword = pw\ntls = none\nallow_plaintext_auth = yes\n")
        #expect(allowed.smtp.allowPlaintextAuthentication)
        // starttls-if-offered with a login insists on STARTTLS.
        let guarded = try Self.configuration("[mail]\nusername = fax\npassword = pw\n")
        #expect(guarded.smtp.tlsMode == .startTLSIfOffered && guarded.smtp.transportSecurity == .startTLSRequired)
        #expect(try Self.configuration("[mail]\ntls = starttls-if-offered\n").smtp.transportSecurity == .startTLSIfOffered)
    }

    @Test("a faxline.conf others can read, and an open data folder, are warned about")
    func exposureWarnings() throws {
        let folder = try TestDocuments.makeTemporaryDirectory("exposure")
        let configuration = FaxlineConfiguration(dataDirectory: folder.path)
        #expect(FileManager.default.createFile(atPath: configuration.filePath, contents: Data("[mail]\n".utf8)))
        chmod(configuration.filePath, 0o644)
        chmod(folder.path, 0o755)
        let warnings = FilePermissions.exposureWarnings(configuration: configuration)
        #expect(warnings.count == 2)
        #expect(warnings.first?.contains("holds secrets and every user of this machine can read it (mode 644)") == true)
        #expect(warnings.first?.contains("chmod o-rwx \(configuration.filePath)") == true)
        chmod(configuration.filePath, 0o640)
        chmod(folder.path, 0o750)
        #expect(FilePermissions.exposureWarnings(configuration: configuration).isEmpty)
    }

    @Test("the soft limit on open files is raised to the hard limit")
    func openFileLimit() throws {
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let hard = limit.rlim_max
        try #require(hard > 256, "the hard limit is too low to test")
        var lowered = limit
        lowered.rlim_cur = 256
        #expect(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &lowered) == 0)
        #expect(ProcessLimits.openFileLimit == 256)
        #expect(ProcessLimits.raiseOpenFileLimit() == UInt64(hard))
        #expect(ProcessLimits.openFileLimit == UInt64(hard))
    }

    @Test("faxline status prints a caller's number without its escapes, and the status file is 0640")
    func statusReport() throws {
        let folder = try TestDocuments.makeTemporaryDirectory("status")
        // Whole seconds: the file keeps ISO 8601 times without fractions.
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let status = ServerStatus(
            version: "0", processID: 1, startedAt: now, updatedAt: now, agi: "127.0.0.1:4573", audioSocket: "127.0.0.1:9092",
            lines: [.init(name: "line0", state: "receiving", direction: "inbound", faxID: "77af7a5d", remoteNumber: "555\u{1B}[2J\u{1B}]0;owned\u{07}", since: now)],
            inboundCalls: 1, outboundCalls: 0, succeeded: 0, failed: 0, refusedNoFreeLine: 0, freeDiskBytes: nil, refusingCalls: nil,
            warnings: ["faxline.conf is readable"])
        let report = status.report(now: now)
        #expect(report.contains("from 555[2J]0;owned fax 77af7a5d"))
        #expect(!report.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(report.contains("WARNING: faxline.conf is readable"))
        let path = folder.path + "/status.json"
        try status.write(to: path)
        #expect(FilePermissions.mode(of: path) == 0o640)
        #expect(try ServerStatus.read(from: path) == status)
    }
}
