import FaxCore
import Foundation

/// How CUPS calls a backend: without arguments to list its devices, or with
/// `job-id user title copies options [file]` and the job's environment (`DEVICE_URI`,
/// `CONTENT_TYPE`, …) to print one job, read from the file or else from standard input.
public enum CUPSBackendRequest: Sendable, Equatable {
    case discovery
    case job(CUPSPrintJob)

    /// The one device line `lpinfo -v` shows for this backend.
    public static let discoveryLine = "direct faxline \"Faxline\" \"Faxline fax\""

    public static let usage = "Usage: faxline-cups job-id user title copies options [file]"

    /// `arguments` without the program name.
    public static func parse(arguments: [String], environment: [String: String]) throws(CUPSRequestError) -> CUPSBackendRequest {
        if arguments.isEmpty { return .discovery }
        guard arguments.count == 5 || arguments.count == 6 else { throw .usage }
        let user = arguments[1]
        // The name CUPS was given by the client: printable ASCII, no spaces; it is only ever
        // looked up, never used in a path or a command.
        guard !user.isEmpty, user.utf8.count <= 255, user.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .badUser(UntrustedText.cleaned(String(user.prefix(64))))
        }
        let file = arguments.count == 6 ? arguments[5] : nil
        if let file, file.isEmpty { throw .usage }
        return .job(CUPSPrintJob(
            jobID: UntrustedText.cleaned(String(arguments[0].prefix(32))), user: user,
            title: UntrustedText.cleaned(String(arguments[2].prefix(200))), file: file,
            dataDirectory: try dataDirectory(deviceURI: environment["DEVICE_URI"]),
            contentType: environment["CONTENT_TYPE"].map { UntrustedText.cleaned(String($0.prefix(100))) }))
    }

    /// The data folder the device URI names: `faxline:/` (or none) is the default
    /// /var/lib/faxline, `faxline:/srv/fax` (percent-encoded) another folder.
    public static func dataDirectory(deviceURI: String?) throws(CUPSRequestError) -> String {
        guard let deviceURI, !deviceURI.isEmpty else { return defaultDataDirectory }
        guard deviceURI.hasPrefix("faxline:") else { throw .badDeviceURI(UntrustedText.cleaned(deviceURI)) }
        var path = String(deviceURI.dropFirst("faxline:".count))
        if path.hasPrefix("//") {
            // faxline://localhost/srv/fax or faxline:///srv/fax
            let afterAuthority = path.dropFirst(2)
            path = String(afterAuthority[(afterAuthority.firstIndex(of: "/") ?? afterAuthority.endIndex)...])
        }
        if path.isEmpty || path == "/" { return defaultDataDirectory }
        guard let decoded = path.removingPercentEncoding, decoded.hasPrefix("/"), !decoded.contains("\0"),
              !decoded.split(separator: "/").contains(".."), decoded.utf8.count <= 1024
        else { throw .badDeviceURI(UntrustedText.cleaned(deviceURI)) }
        return decoded.count > 1 && decoded.hasSuffix("/") ? String(decoded.dropLast()) : decoded
    }

    public static let defaultDataDirectory = "/var/lib/faxline"
}

/// One job as CUPS hands it over. The title and job id are cleaned of control characters and
/// only ever shown; the user name is only ever looked up.
public struct CUPSPrintJob: Sendable, Equatable {
    public var jobID: String
    public var user: String
    public var title: String
    /// The file to read; `nil`: standard input.
    public var file: String?
    public var dataDirectory: String
    public var contentType: String?

    public init(jobID: String, user: String, title: String, file: String?, dataDirectory: String, contentType: String?) {
        self.jobID = jobID
        self.user = user
        self.title = title
        self.file = file
        self.dataDirectory = dataDirectory
        self.contentType = contentType
    }
}

public enum CUPSRequestError: Error, Equatable, CustomStringConvertible {
    case usage
    case badUser(String)
    case badDeviceURI(String)

    public var description: String {
        switch self {
        case .usage: CUPSBackendRequest.usage
        case .badUser(let name): "the job's user name \(name) is not a user name"
        case .badDeviceURI(let uri): "the device URI \(uri) is not faxline:/ or faxline:/DATA-FOLDER"
        }
    }
}
