@testable import Documents
import FaxTestSupport
import Foundation
import Testing

/// External converters run in a session and process group of their own, in a private sandbox,
/// with limits; when their time is up the whole group is killed. A small script stands in for
/// LibreOffice (which is not installed here): the mechanism under test is our process handling.
@Suite struct ToolProcessTests {
    /// A time limit that runs out when the test opens it (one waiter at a time).
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation

        init() {
            (stream, continuation) = AsyncStream<Void>.makeStream()
        }

        func open() { continuation.finish() }

        /// Returns once the gate is open, or the waiting task is cancelled.
        func wait() async {
            for await _ in stream {}
        }
    }

    /// An "Office document" (a zip that says it holds a Word file), for the stand-in to get.
    func officeDocument() throws -> String {
        let path = TestDocuments.directory().appendingPathComponent("letter.docx").path
        try Data([0x50, 0x4B, 0x03, 0x04] + Array("....word/document.xml".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(try DocumentType.detect(path: path) == .office)
        return path
    }

    func script(_ body: String) throws -> String {
        let path = TestDocuments.directory("stand-in").appendingPathComponent("soffice").path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o755) == 0)
        return path
    }

    /// Waits for a file another process writes (its appearance is the event, not a time).
    func eventually(_ path: String) async throws -> String {
        for _ in 0..<3000 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestTIFFError(description: "\(path) never appeared")
    }

    /// Alive: listed in /proc and not a zombie.
    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first != "Z"
    }

    /// Live processes whose process group is `group`.
    func members(of group: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state, parent, process group.
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    @Test func aTimeoutKillsTheToolAndEverythingItStarted() async throws {
        let pids = TestDocuments.directory("pids").appendingPathComponent("pids").path
        // The stand-in starts a child that would outlive it, reports both, and waits forever.
        let office = try script("""
        sleep 100000 &
        echo "$$ $! $TMPDIR" > "\(pids).tmp" && mv "\(pids).tmp" "\(pids)"
        wait
        """)
        let document = try officeDocument()
        let gate = Gate()
        var converter = DocumentConverter(options: ConversionOptions(timeLimit: .seconds(600), officeCommand: office))
        converter.timer = ConversionTimer { _ in await gate.wait() }
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        let conversion = Task { () -> DocumentError? in
            do throws(DocumentError) {
                try await converter.convert([document], to: output)
                return nil
            } catch {
                return error
            }
        }
        let started = try await eventually(pids).split(separator: " ")
        let leader = try #require(Int32(started[0]))
        let child = try #require(Int32(started[1]))
        let sandbox = String(started[2].dropLast())
        #expect(isAlive(leader) && isAlive(child))
        #expect(members(of: leader).sorted() == [leader, child].sorted(), "the stand-in leads its own group")

        gate.open()
        #expect(await conversion.value == .timedOut(path: document, seconds: 600))
        #expect(!isAlive(leader))
        // SIGKILL went to the whole group before the leader was reaped; the grandchild (not our
        // child, so not ours to reap) may take a moment to be gone on a loaded machine.
        #expect(try await FaxTestSupport.eventually { !isAlive(child) }, "the grandchild outlived the timeout")
        #expect(members(of: leader).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: sandbox), "the sandbox was left behind")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func aToolGetsASandboxLimitsAndNothingOfOurEnvironment() async throws {
        setenv("FAXLINE_TEST_SECRET", "hunter2", 1)
        let report = TestDocuments.directory("report").appendingPathComponent("report").path
        let office = try script("""
        set -- $(cat /proc/$$/stat)
        {
          echo "tmpdir=$TMPDIR"; echo "home=$HOME"; echo "pwd=$(pwd)"
          echo "secret=${FAXLINE_TEST_SECRET:-none}"
          echo "mode=$(stat -c %a "$TMPDIR")"; echo "entries=$(ls -A "$TMPDIR" | wc -l)"
          echo "addressspace=$(ulimit -v)"; echo "cpu=$(ulimit -t)"; echo "core=$(ulimit -c)"
          echo "session=$6"; echo "pid=$$"; echo "nice=${19}"
        } > "\(report).tmp"
        mv "\(report).tmp" "\(report)"
        exit 3
        """)
        let document = try officeDocument()
        let options = ConversionOptions(timeLimit: .seconds(30), officeCommand: office, officeMemoryLimit: 3 << 30)
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        do {
            try await DocumentConverter(options: options).convert([document], to: output)
            Issue.record("the stand-in produced no PDF, yet the conversion succeeded")
        } catch {
            #expect(error == .damaged(path: document, reason: "LibreOffice could not open it"))
        }
        var fields: [String: String] = [:]
        for line in try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let sandbox = try #require(fields["tmpdir"])
        #expect(sandbox.hasPrefix(FileManager.default.temporaryDirectory.path + "/faxline-tool-"))
        #expect(fields["home"] == sandbox)
        #expect(fields["pwd"] == sandbox)
        #expect(fields["secret"] == "none")
        #expect(fields["mode"] == "700")
        #expect(fields["entries"] == "0")
        #expect(fields["addressspace"] == String(3 << 20))
        #expect(fields["cpu"] == "31")
        #expect(fields["core"] == "0")
        #expect(fields["session"] == fields["pid"], "the tool leads its own session")
        #expect(fields["nice"] == "10", "below the server, whose calls come first")
        #expect(!FileManager.default.fileExists(atPath: sandbox))
    }

    @Test func ghostscriptIsStoppedWhenItsTimeIsUp() async throws {
        let loop = TestDocuments.directory().appendingPathComponent("loop.ps").path
        try Data("%!PS\n{ } loop\n".utf8).write(to: URL(fileURLWithPath: loop))
        let asked = AskedDurations()
        var converter = DocumentConverter(options: ConversionOptions(timeLimit: .seconds(7)))
        // The time is up as soon as it is asked for: Ghostscript, in an endless loop, is killed.
        converter.timer = ConversionTimer { duration in asked.append(duration) }
        let output = TestDocuments.directory("out").appendingPathComponent("fax.tif").path
        do {
            try await converter.convert([loop], to: output)
            Issue.record("an endless loop converted")
        } catch {
            #expect(error == .timedOut(path: loop, seconds: 7))
        }
        #expect(asked.values == [.seconds(7)])
    }

    final class AskedDurations: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Duration] = []
        func append(_ duration: Duration) { lock.withLock { stored.append(duration) } }
        var values: [Duration] { lock.withLock { stored } }
    }
}
