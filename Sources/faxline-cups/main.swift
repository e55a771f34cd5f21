import Foundation
import Logging
import PrintToFax

// The CUPS backend: installed as /usr/lib/cups/backend/faxline by `faxline install-printer`.
// Files it creates are for the data folder's owner only (the server's own umask).
umask(0o027)
let logger = Logger(label: "faxline.cups") { _ in CUPSLogHandler() }
let status = await FaxlineCUPSBackend.run(
    arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, logger: logger,
    standardOutput: { FileHandle.standardOutput.write(Data($0.utf8)) })
exit(status.rawValue)
