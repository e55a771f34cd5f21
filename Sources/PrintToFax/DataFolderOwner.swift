import Foundation

/// The backend's rights: CUPS runs a backend as root when its file is mode 0700 (else as
/// `lp`), and the backend at once becomes the owner of the data folder — the user `faxline
/// serve` runs as — before it reads faxline.conf or opens the database. Its files in the spool
/// are then that user's, exactly as `sudo -u faxline faxline send` would leave them, and the
/// server, its cleanup and its backups can read and delete them. The job's own file (owned by
/// CUPS) is opened before the change; nothing else is done as root.
public enum DataFolderOwner {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Switches to the owner of `directory` (user, its groups) when running as root; stays
    /// root only when root owns the folder. Does nothing when not root.
    public static func become(ownerOf directory: String) throws(Failure) {
        guard geteuid() == 0 else { return }
        var information = stat()
        guard stat(directory, &information) == 0 else {
            throw Failure(description: "cannot read the data folder \(directory): \(String(cString: strerror(errno)))")
        }
        let uid = information.st_uid, gid = information.st_gid
        guard uid != 0 else { return }
        let groupsSet: Bool
        if let account = getpwuid(uid), let name = account.pointee.pw_name {
            groupsSet = initgroups(name, gid) == 0
        } else {
            var only = gid
            groupsSet = setgroups(1, &only) == 0
        }
        guard groupsSet, setgid(gid) == 0, setuid(uid) == 0, getuid() == uid, geteuid() == uid, setuid(0) != 0 else {
            throw Failure(description: "cannot switch to the data folder's owner (uid \(uid)): \(String(cString: strerror(errno)))")
        }
        if let account = getpwuid(uid), let home = account.pointee.pw_dir {
            setenv("HOME", home, 1)
        }
    }
}
