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
