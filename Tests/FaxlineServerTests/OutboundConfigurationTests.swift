import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Testing

@Suite("faxline.conf: [ami] and [outbound]")
struct OutboundConfigurationTests {
    @Test("the settings are read, with HylaFAX's retry delays as defaults")
    func settings() throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        #expect(!configuration.ami.isConfigured)
        #expect(configuration.outbound.retry.busy == 180 && configuration.outbound.retry.protocolFailure == 60)
        try configuration.apply(ConfigurationFile(parsing: """
            [ami]
            host = pbx.local
            port = 5039
            username = faxline
            secret = s3cret
            [outbound]
            dial_string = PJSIP/${NUMBER}@trunk
            context = fax-out
            dial_timeout = 45
            retry_busy = 120
            notify_requeue = yes
            """))
        #expect(configuration.ami.isConfigured)
        #expect(configuration.ami.host == "pbx.local" && configuration.ami.port == 5039)
        #expect(configuration.ami.clientConfiguration().username == "faxline")
        #expect(configuration.outbound.dialString == "PJSIP/${NUMBER}@trunk")
        #expect(configuration.outbound.context == "fax-out")
        #expect(configuration.outbound.dialTimeout == .seconds(45))
        #expect(configuration.outbound.retry.busy == 120 && configuration.outbound.retry.noAnswer == 300)
        #expect(configuration.outbound.retry.notifyOnRequeue)
    }

    @Test("bad values name their line", arguments: [
        "[outbound]\ndial_string = PJSIP/trunk\n",
        "[outbound]\ncontext = fax out\n",
        "[outbound]\nretry_busy = 0\n",
        "[ami]\nport = 70000\n",
        "[ami]\nbogus = 1\n",
    ])
    func badValues(text: String) throws {
        var configuration = FaxlineConfiguration(dataDirectory: "/tmp/x")
        let error = #expect(throws: ConfigurationError.self) { try configuration.apply(ConfigurationFile(parsing: text)) }
        #expect(error?.description.contains("line 2") == true)
    }
}

@Suite("Submissions and the disk guard")
struct SubmissionDiskGuardTests {
    @Test("a nearly full spool refuses a submission with a clear error, and queues nothing")
    func fullDiskRefusesSubmission() async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("submit-full")
        let configuration = FaxlineConfiguration(dataDirectory: folder.path)
        let database = try FaxDatabase(path: configuration.databasePath)
        try FileManager.default.createDirectory(atPath: configuration.spoolDirectory, withIntermediateDirectories: true)
        let submitter = JobSubmitter(jobs: database, spoolRoot: configuration.spoolDirectory, minimumFreeBytes: .max / 2)
        let submission = JobSubmission(numbers: ["5550100"], files: [try TestDocuments.letter().path])
        do {
            _ = try await submitter.submit(submission)
            Issue.record("the submission was accepted")
        } catch {
            #expect("\(error)".contains("free"), "\(error)")
        }
        #expect(try await database.jobs(JobQuery()).isEmpty)
    }
}

@Suite("Free space before the first start")
struct SpoolFreeSpaceTests {
    @Test("a spool folder that does not exist yet is measured on the folder above it")
    func missingSpoolFolder() throws {
        let folder = try TestDocuments.makeTemporaryDirectory("spool-missing")
        let spool = Spool(root: folder.path + "/not/yet/spool")
        let free = try #require(spool.freeBytes())
        #expect(free > 0)
        #expect(DiskGuard(spool: spool, minimumFreeBytes: 1).refusal() == nil)
    }
}

@Suite("faxline.conf errors")
struct ConfigurationErrorTests {
    static func load(_ text: String) throws -> (path: String, error: ConfigurationError?) {
        let folder = try TestDocuments.makeTemporaryDirectory("conf")
        let configuration = FaxlineConfiguration(dataDirectory: folder.path)
        try Data(text.utf8).write(to: URL(fileURLWithPath: configuration.filePath))
        do {
            _ = try FaxlineConfiguration.load(dataDirectory: folder.path)
            return (configuration.filePath, nil)
        } catch {
            return (configuration.filePath, error)
        }
    }

    @Test("an error names the file, the line and the section", arguments: [
        ("[general]\nlines = 4\n[mail]\nsmtp_hots = mail.example.com\n", "line 4 in [mail]: unknown setting 'smtp_hots'"),
        ("[mail]\nsmtp_port = 99999\n", "line 2 in [mail]: smtp_port: expected a number in 1...65535"),
        ("lines = 4\nnonsense\n", "line 2 in [general]: expected key = value"),
        ("[ami]\n[outbound\n", "line 2 in [ami]: a section header looks like [name]"),
    ])
    func namesFileLineAndSection(text: String, expected: String) throws {
        let (path, error) = try Self.load(text)
        #expect(error?.description == "\(path), \(expected)")
    }

    @Test("a key given twice in a section is an error; the same key in two sections is not")
    func duplicateKeys() throws {
        let (path, error) = try Self.load("[ami]\nusername = faxline\nsecret = one\n; later\nsecret = two\n")
        #expect(error == .inFile(path: path, .duplicateSetting(section: "ami", key: "secret", line: 5, firstLine: 3)))
        #expect(error?.description == "\(path), line 5 in [ami]: secret is set a second time (first on line 3); keep one")
        let twoSections = try Self.load("[agi]\nbind = 127.0.0.1:4573\n[audiosocket]\nbind = 127.0.0.1:9092\n[AMI]\nport = 5038\n[ami]\nhost = 127.0.0.1\n")
        #expect(twoSections.error == nil)
        let sameSectionTwice = try Self.load("[ami]\nport = 5038\n[mail]\nfrom = f@example.com\n[ami]\nport = 5039\n")
        #expect(sameSectionTwice.error?.description.contains("port is set a second time (first on line 2)") == true)
    }
}
