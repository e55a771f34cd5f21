import Foundation

/// Limits of the server process.
public enum ProcessLimits {
    /// Raises the soft limit on open files to the hard limit: every call holds several sockets
    /// and files, and a server out of descriptors cannot even write its status. Returns the
    /// limit in force afterwards (`nil` if it cannot be read).
    @discardableResult
    public static func raiseOpenFileLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }

    /// The soft limit on open files now.
    public static var openFileLimit: UInt64? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        return UInt64(limit.rlim_cur)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
