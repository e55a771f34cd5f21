import Foundation

/// An error in words a person can act on. Faxline's own errors describe themselves; this is
/// for those of the libraries below: Foundation's file errors print as
/// `Error Domain=NSCocoaErrorDomain Code=260 …` and a decoding error as a Swift value dump, so
/// they are reduced here to what went wrong and where ("/var/lib/faxline/status.json: No such
/// file or directory"). Log metadata, status lines and messages use it for any error they did
/// not make themselves.
public enum ErrorWords {
    public static func describe(_ error: any Error) -> String {
        if let error = error as? DecodingError { return describe(decoding: error) }
        if error is CancellationError { return "cancelled (Faxline is stopping)" }
        let bridged = error as NSError
        if bridged.domain == NSCocoaErrorDomain || bridged.domain == NSPOSIXErrorDomain {
            return describe(fileError: bridged)
        }
        return "\(error)"
    }

    /// The POSIX reason under a Foundation file error, with the file it is about.
    static func describe(fileError error: NSError) -> String {
        var reason: String
        if error.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(error.code)))
        } else if let underlying = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map({ $0 as NSError }),
                  underlying.domain == NSPOSIXErrorDomain {
            // On Linux the underlying error is kept as a Swift error: `as? NSError` alone misses it.
            reason = String(cString: strerror(Int32(underlying.code)))
        } else {
            // The text Foundation gives, without its "The operation could not be completed." opening.
            reason = error.localizedDescription.replacingOccurrences(of: "The operation could not be completed. ", with: "")
        }
        if reason.isEmpty { reason = "file error \(error.code)" }
        if let path = error.userInfo[NSFilePathErrorKey] as? String { return "\(path): \(reason)" }
        return reason
    }

    static func describe(decoding error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .dataCorrupted(let found), .keyNotFound(_, let found), .typeMismatch(_, let found), .valueNotFound(_, let found):
            context = found
        @unknown default:
            return "the data is not in the expected format"
        }
        let path = context.codingPath.reduce(into: "") { path, key in
            if let index = key.intValue { path += "[\(index)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
        return "the data is not in the expected format" + (path.isEmpty ? "" : " at \(path)") + ": "
            + context.debugDescription
    }
}
