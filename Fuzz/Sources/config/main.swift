import FaxlineServer
import Foundation
import FuzzSupport

// `<data>/faxline.conf`: read as FaxlineConfiguration.load reads it (UTF-8 or nothing), parsed by
// `ConfigurationFile(parsing:)` and applied to the defaults. The input is the whole file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let text = String(validating: FuzzInput.bytes(start, count), as: UTF8.self) else { return 0 }
    let file: ConfigurationFile
    do {
        file = try ConfigurationFile(parsing: text)
    } catch {
        _ = error.description
        return 0
    }
    checkEntries(of: file)
    checkLineEndings(text, parsedAs: file)

    var configuration = FaxlineConfiguration(dataDirectory: "/var/lib/faxline")
    do {
        try configuration.apply(file)
    } catch {
        _ = error.description
        return 0
    }
    checkValues(of: configuration)
    return 0
}

private func checkEntries(of file: ConfigurationFile) {
    var previousLine = 0
    for entry in file.entries {
        fuzzCheck(entry.line > previousLine, "entries out of line order")
        previousLine = entry.line
        fuzzCheck(!entry.key.isEmpty && !entry.key.contains("="), "key \(entry.key.debugDescription)")
        fuzzCheck(entry.key == entry.key.lowercased() && entry.section == entry.section.lowercased(), "names not lowercased")
        for text in [entry.key, entry.value] {
            let ends = [text.unicodeScalars.first, text.unicodeScalars.last].compactMap { $0 }
            fuzzCheck(!ends.contains(where: CharacterSet.whitespacesAndNewlines.contains), "untrimmed \(text.debugDescription)")
            fuzzCheck(!text.contains(";") && !text.contains("#"), "comment kept in \(text.debugDescription)")
        }
    }
}

/// The same file with CRLF line endings (written on Windows) means the same.
private func checkLineEndings(_ text: String, parsedAs file: ConfigurationFile) {
    let crlf = String(decoding: text.utf8.flatMap { $0 == UInt8(ascii: "\n") ? [0x0D, 0x0A] : [$0] }, as: UTF8.self)
    guard crlf.utf8.count <= ConfigurationFile.maximumBytes else { return }
    let reparsed = try? ConfigurationFile(parsing: crlf)
    fuzzCheck(reparsed == file, "with CRLF line endings the file reads as \(String(describing: reparsed?.entries))")
}

private func checkValues(of configuration: FaxlineConfiguration) {
    fuzzCheck((1...512).contains(configuration.lines), "lines = \(configuration.lines)")
    fuzzCheck((0..<configuration.lines).contains(configuration.reserveInbound), "reserve_inbound = \(configuration.reserveInbound)")
    fuzzCheck(configuration.stationID.utf8.count <= 20, "station_id too long")
    for listener in [configuration.agi, configuration.audioSocket, configuration.mediaAddress] {
        fuzzCheck((0...65535).contains(listener.port) && !listener.host.isEmpty, "listener \(listener.description)")
    }
    fuzzCheck((1...65535).contains(configuration.smtp.port) && (1...65535).contains(configuration.ami.port), "ports")
    fuzzCheck(configuration.outbound.dialString.contains("${NUMBER}"), "dial string without ${NUMBER}")
    fuzzCheck(!configuration.outbound.context.isEmpty, "empty dialplan context")
    _ = configuration.cleanupSchedule?.description
}
