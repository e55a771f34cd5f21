import FuzzSupport
import Telephony

// What Asterisk sends after the environment: lines from `AGILineDecoder` into `AGIReplyParser`,
// as AGISession reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAGIReply(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let maximumLineLength = input.usesTinyLimits ? input.limit(1...64) : AGIEnvironmentParser.Limits().maximumLineLength
    let limits = input.usesTinyLimits ? AGIReplyParser.Limits(maximumUsageLines: input.limit(1...8, salt: 1)) : .init()
    let lines = StreamDecoding<String>.runCheckingSplit(
        { AGILineDecoder(maximumLineLength: maximumLineLength) }, input: input)

    var parser = AGIReplyParser(limits: limits)
    do {
        for line in lines.messages {
            guard let reply = try parser.feed(line: line) else { continue }
            guard case .response(let response) = reply else { continue }
            _ = (response.description, response.result, response.data)
            fuzzCheck([200, 510, 511, 520].contains(response.code), "unknown response code \(response.code)")
            switch response {
            case .invalidSyntax(let usage):
                fuzzCheck(usage.count <= limits.maximumUsageLines, "usage text longer than the limit")
            case .success(let result):
                // A result sent again as Asterisk writes it reads back the same.
                let reread = try? AGIResponse.parse(response.encodedText)
                fuzzCheck(reread == response, "\(result) reads back as \(String(describing: reread))")
            case .invalidOrUnknownCommand, .notPermittedOnDeadChannel:
                break
            }
        }
    } catch {
        _ = String(describing: error)
    }
    return 0
}
