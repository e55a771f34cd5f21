import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import Store
import Telephony
import Testing

/// The far end of outbound calls: which fax machine answers each number, and what it got.
actor OutboundFarEnd {
    struct Call: Sendable {
        let number: String
        let receivedFile: String
        let outcome: EmulatedCallOutcome
    }

    let folder: URL
    /// The server's media clock, set once the server runs.
    var clock: LockStepMediaClock?
    private var hangUpAfterPages: [String: [Int?]] = [:]
    private var behaviours: [String: EmulatedFaxMachine.Behaviour] = [:]
    /// Numbers whose answered calls never connect their audio.
    private var silentDialplans: Set<String> = []
    private(set) var calls: [Call] = []
    private(set) var concurrent = 0
    private(set) var maximumConcurrent = 0
    private var concurrentNumbers: [String: Int] = [:]
    private(set) var maximumPerNumber = 0

    init() throws {
        folder = try TestDocuments.makeTemporaryDirectory("far-end")
    }

    /// The next calls to `number` hang up after these many pages (`nil`: the whole fax).
    func script(_ number: String, hangUpAfterPages pages: [Int?]) {
        hangUpAfterPages[number] = pages
    }

    /// How the fax machine at `number` behaves on the line.
    func script(_ number: String, behaviour: EmulatedFaxMachine.Behaviour) {
        behaviours[number] = behaviour
    }

    /// Calls to `number` are answered, but the dialplan never connects their audio.
    func neverConnectAudio(_ number: String) {
        silentDialplans.insert(number)
    }

    func use(_ clock: LockStepMediaClock) {
        self.clock = clock
    }

    func answer(port: Int, call: TestAMIServer.RecordedOriginate) async {
        guard let session = call.variables["FAXLINE_SESSION"].flatMap(UUID.init(uuidString:)) else { return }
        let number = call.variables["FAXLINE_NUMBER"] ?? "?"
        if silentDialplans.contains(number) { return }
        var pages = hangUpAfterPages[number] ?? []
        let hangUp = pages.isEmpty ? nil : pages.removeFirst()
        hangUpAfterPages[number] = pages
        let file = folder.appendingPathComponent("\(number)-\(calls.count)-\(UUID().uuidString.prefix(6)).tif").path
        let machine = EmulatedFaxMachine(role: .receive(into: file), stationID: "+1 555 \(number.suffix(4))", hangUpAfterPages: hangUp,
                                         behaviour: behaviours[number] ?? .fax)
        let clock = self.clock
        concurrent += 1
        maximumConcurrent = max(maximumConcurrent, concurrent)
        concurrentNumbers[number, default: 0] += 1
        maximumPerNumber = max(maximumPerNumber, concurrentNumbers[number] ?? 0)
        // Returns at once: Asterisk reports the answer, then the dialplan connects the audio.
        Task {
            let outcome = await AsteriskEmulator.connectOutboundCall(uuid: session, port: port, machine: machine, clock: clock)
            self.finished(Call(number: number, receivedFile: file, outcome: outcome))
        }
    }

    private func finished(_ call: Call) {
        concurrent -= 1
        concurrentNumbers[call.number, default: 1] -= 1
        calls.append(call)
    }
}

/// A `FaxlineServer` with outbound faxing on, its Asterisk manager played by `TestAMIServer`
/// and every answered call played into the AudioSocket path by `OutboundFarEnd`.
struct OutboundHarness {
    let server: ServerHarness
    let ami: TestAMIServer
    let farEnd: OutboundFarEnd

    static func start(
        ami existing: TestAMIServer? = nil, farEnd existingFarEnd: OutboundFarEnd? = nil, dataDirectory: String? = nil,
        clock: any Clock<Duration> = ContinuousClock(), configure: (inout FaxlineConfiguration) -> Void = { _ in }
    ) async throws -> OutboundHarness {
        let ami: TestAMIServer
        if let existing { ami = existing } else { ami = try await TestAMIServer.start() }
        let farEnd = try existingFarEnd ?? OutboundFarEnd()
        let amiPort = await ami.port
        let server = try await ServerHarness.start(devices: dataDirectory == nil ? [ServerHarness.salesDevice] : [], clock: clock) { configuration in
            if let dataDirectory { configuration.dataDirectory = dataDirectory }
            configuration.ami.port = amiPort
            configuration.ami.username = ami.username
            configuration.ami.secret = ami.secret
            configuration.outbound.dialString = "Local/${NUMBER}@faxline-test"
            configuration.outbound.pollInterval = .milliseconds(200)
            var retry = JobRetryPolicy.standard
            retry.busy = 0.3
            retry.noAnswer = 0.3
            retry.noCarrier = 0.3
            retry.protocolFailure = 0.3
            retry.other = 0.3
            retry.interrupted = 0.3
            retry.managerDown = 0.3
            configuration.outbound.retry = retry
            configure(&configuration)
        }
        let mediaPort = try await server.server.audioSocketServer.localAddress.port ?? 0
        await farEnd.use(server.mediaClock)
        await ami.setOnAnswer { call in await farEnd.answer(port: mediaPort, call: call) }
        return OutboundHarness(server: server, ami: ami, farEnd: farEnd)
    }

    var database: FaxDatabase { server.database }

    func submit(_ numbers: [String], document: URL? = nil, configure: (inout JobSubmission) -> Void = { _ in }) async throws -> [Job] {
        var submission = JobSubmission(numbers: numbers, files: [try (document ?? TestDocuments.letter()).path])
        configure(&submission)
        let jobs = try await JobSubmitter(jobs: database, spoolRoot: server.spoolRoot).submit(submission)
        server.server.outbound?.wake()
        return jobs
    }

    /// Waits until the job is in one of `states` (or meets `condition`), and returns it.
    func waitForJob(_ id: Int64?, in states: Set<JobState>, or condition: (Job) -> Bool = { _ in false }) async throws -> Job {
        let id = try #require(id)
        var job = try #require(try await database.job(id: id))
        // Up to about two minutes: a broadcast on busy machines takes its time.
        let reached = try await eventually(tries: 6_000) {
            job = try #require(try await database.job(id: id))
            return states.contains(job.state) || condition(job)
        }
        if !reached {
            Issue.record("job \(id) is \(job.state.rawValue) (\(job.reason)), not \(states.map(\.rawValue))")
        }
        return job
    }

    func document(of job: Job) -> String { job.document.absolutePath(under: server.spoolRoot) }

    func stop() async {
        await server.stop()
    }
}
