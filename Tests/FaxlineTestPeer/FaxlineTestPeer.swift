import FaxTestSupport
import Foundation

/// The far end of a real `faxline serve` for the browser tests (`scripts/web-test`): the
/// Asterisk emulator over loopback, in real time.
///
///     faxline-test-peer ami AUDIOSOCKET_PORT
///         plays the Asterisk manager: prints "ami PORT USER SECRET", then answers every
///         Originate with a fax machine that receives, until killed
///     faxline-test-peer call AGI_PORT EXTENSION CALLER DOCUMENT.tif
///         places one inbound call that sends the document; exits 0 when the fax went through
@main
struct FaxlineTestPeer {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "ami" where arguments.count == 2:
            guard let mediaPort = Int(arguments[1]) else { usage() }
            try await answerOutboundCalls(mediaPort: mediaPort)
        case "call" where arguments.count == 5:
            guard let agiPort = Int(arguments[1]) else { usage() }
            try await placeInboundCall(agiPort: agiPort, extension: arguments[2], caller: arguments[3], document: arguments[4])
        default:
            usage()
        }
    }

    /// A line on standard output, at once (the script waits for it).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: faxline-test-peer ami AUDIOSOCKET_PORT | call AGI_PORT EXTENSION CALLER DOCUMENT\n".utf8))
        exit(2)
    }

    static func answerOutboundCalls(mediaPort: Int) async throws {
        let folder = try TestDocuments.makeTemporaryDirectory("peer")
        let ami = try await TestAMIServer.start()
        await ami.setOnAnswer { call in
            guard let session = call.variables["FAXLINE_SESSION"].flatMap(UUID.init(uuidString:)) else { return }
            let number = call.variables["FAXLINE_NUMBER"] ?? "0000"
            let file = folder.appendingPathComponent("\(number)-\(UUID().uuidString.prefix(8)).tif").path
            let machine = EmulatedFaxMachine(role: .receive(into: file), stationID: "+1 555 \(number.suffix(4))")
            Task {
                let outcome = await AsteriskEmulator.connectOutboundCall(
                    uuid: session, port: mediaPort, machine: machine, pacing: .realTime, clock: nil)
                say("outbound \(number) \(outcome.farEnd?.isSuccess == true ? "received" : "failed")")
            }
        }
        say("ami \(await ami.port) \(ami.username) \(ami.secret)")
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    static func placeInboundCall(agiPort: Int, extension number: String, caller: String, document: String) async throws {
        var call = EmulatedInboundCall(machine: EmulatedFaxMachine(role: .send(document: document), stationID: "+1 555 0100"))
        call.calledExtension = number
        call.dnid = number
        call.callerID = caller
        call.pacing = .realTime
        let outcome = try await AsteriskEmulator(agiPort: agiPort).placeInboundCall(call)
        let succeeded = outcome.farEnd?.isSuccess == true
        say("inbound \(succeeded ? "sent" : "failed")")
        exit(succeeded ? 0 : 1)
    }
}
