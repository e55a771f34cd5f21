import FaxCore
import FaxlineServer
import Foundation
import Logging
import Store

/// `faxline-cups`, the CUPS backend behind `faxline install-printer`'s queue.
public enum FaxlineCUPSBackend {
    /// Runs the backend as CUPS calls it and returns its exit status. `arguments` are without
    /// the program name; messages go to `logger` (on standard error as CUPS reads them).
    public static func run(arguments: [String], environment: [String: String], logger: Logger,
                           standardOutput: (String) -> Void) async -> CUPSBackendStatus {
        let request: CUPSBackendRequest
        do {
            request = try CUPSBackendRequest.parse(arguments: arguments, environment: environment)
        } catch .usage {
            logger.error("\(CUPSBackendRequest.usage)")
            return .failed
        } catch {
            logger.error("\(error.description)")
            return .cancel
        }
        guard case .job(let job) = request else {
            standardOutput(CUPSBackendRequest.discoveryLine + "\n")
            return .ok
        }
        var logger = logger
        logger[metadataKey: "cups.job"] = "\(job.jobID)"
        logger[metadataKey: "user"] = "\(job.user)"

        // The job's file belongs to CUPS: opened before the rights change.
        let input: FileHandle
        if let file = job.file {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                logger.error("cannot read the job's file \(UntrustedText.cleaned(file))")
                return .failed
            }
            input = handle
        } else {
            input = FileHandle.standardInput
        }
        do {
            try DataFolderOwner.become(ownerOf: job.dataDirectory)
        } catch {
            logger.error("\(error.description)")
            return .stop
        }
        let configuration: FaxlineConfiguration
        let database: FaxDatabase
        do {
            let databasePath = job.dataDirectory + "/" + FaxDatabase.fileName
            guard FileManager.default.fileExists(atPath: databasePath) else {
                logger.error("no Faxline data in \(job.dataDirectory) (the printer's device URI names the data folder: faxline:/DATA-FOLDER)")
                return .stop
            }
            configuration = try FaxlineConfiguration.load(dataDirectory: job.dataDirectory)
            database = try FaxDatabase(path: databasePath)
        } catch let error as ConfigurationError {
            logger.error("\(error.description)")
            return .stop
        } catch {
            logger.error("cannot open the Faxline database: \(ErrorWords.describe(error))")
            return .retry
        }
        // CUPS's TMPDIR is its own spool's, which the data folder's owner cannot write: the
        // converters' sandboxes go into Faxline's spool instead.
        let spool = Spool(root: configuration.spoolDirectory)
        do {
            try spool.prepare()
        } catch {
            logger.error("cannot prepare the spool \(spool.root): \(ErrorWords.describe(error))")
            return .stop
        }
        setenv("TMPDIR", spool.temporaryDirectory, 1)
        logger.info("faxing the print job \"\(job.title)\"")
        return await PrintJobProcessor(job: job, configuration: configuration, store: database, logger: logger).process(input: input)
    }
}
