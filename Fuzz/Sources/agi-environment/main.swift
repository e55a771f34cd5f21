import FuzzSupport
import Telephony

// The start of a FastAGI connection: lines from `AGILineDecoder` in a `ByteToMessageHandler`
// (as FastAGIServer's pipeline has it) into `AGIEnvironmentParser`, then what the server reads
// of the environment.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAGIEnvironment(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let limits =
        input.usesTinyLimits
        ? AGIEnvironmentParser.Limits(
            maximumLineLength: input.limit(1...64), maximumLines: input.limit(1...8, salt: 1),
            maximumBytes: input.limit(1...512, salt: 2))
        : AGIEnvironmentParser.Limits()
    let lines = StreamDecoding<String>.runCheckingSplit(
        { AGILineDecoder(maximumLineLength: limits.maximumLineLength) }, input: input)
    for line in lines.messages {
        // Each byte read becomes at most one scalar (invalid UTF-8 is repaired to U+FFFD).
        fuzzCheck(line.unicodeScalars.count <= limits.maximumLineLength, "line longer than the limit")
        fuzzCheck(!line.utf8.contains(UInt8(ascii: "\n")), "line with a line feed in it")
    }
    _ = lines.error.map { String(describing: $0) }

    var parser = AGIEnvironmentParser(limits: limits)
    var environment: AGIEnvironment?
    do {
        for line in lines.messages {
            environment = try parser.feed(line: line)
            if environment != nil { break }
        }
    } catch {
        _ = String(describing: error)
        return 0
    }
    guard let environment else { return 0 }

    fuzzCheck(environment.variables.count <= limits.maximumLines, "more variables than the limit")
    let bytes = environment.variables.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 2 }
    fuzzCheck(bytes <= limits.maximumBytes, "environment larger than the limit")
    for variable in environment.variables {
        fuzzCheck(environment[variable.key] == variable.value, "lookup of \(variable.key) disagrees")
    }

    // What FastAGIServer and the fax scripts read of it.
    if let request = environment.request {
        _ = request.scriptPath
        _ = request[query: "device"]
        fuzzCheck(!request.scriptPath.hasPrefix("/") && !request.scriptPath.hasSuffix("/"), "script path keeps a slash")
    }
    _ = environment.arguments
    _ = (environment.uniqueID, environment.channel, environment.callerID, environment.callerIDName)
    _ = (environment.dnid, environment.extension, environment.context)

    // Sent again as Asterisk would send it, the environment reads back the same.
    var buffer = environment.encoded()
    var decoder = AGILineDecoder(maximumLineLength: 1 << 20)
    var again = AGIEnvironmentParser(limits: .init(maximumLineLength: 1 << 20, maximumLines: 1 << 20, maximumBytes: 1 << 30))
    var reread: AGIEnvironment?
    do {
        while reread == nil, let line = try decoder.decode(buffer: &buffer) {
            reread = try again.feed(line: line)
        }
    } catch {
        fuzzCheck(false, "the encoded environment does not parse: \(error)")
    }
    fuzzCheck(reread == environment, "the encoded environment reads back differently")
    return 0
}
