/// Why a new fax cannot be taken: the spool's disk is nearly full.
public struct DiskSpaceError: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var description: String { "no room for new faxes: \(reason); run faxline cleanup or free disk space" }
}

extension DiskGuard {
    /// The check for every new submission (CLI, REST, mail): throws a clear error while the
    /// spool's free space is under `[spool] min_free_mb`, the same limit that refuses calls.
    public func requireRoomForSubmission() throws(DiskSpaceError) {
        if let reason = refusal() { throw DiskSpaceError(reason: reason) }
    }
}
