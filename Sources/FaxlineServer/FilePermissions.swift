import Foundation

/// Who may read what Faxline writes: faxes, the database and the configuration (which holds
/// secrets) are for the server's user and its group — never for every account on the machine.
public enum FilePermissions {
    /// The umask of `faxline serve` and every CLI command: nothing created is open to others.
    public static let fileCreationMask: mode_t = 0o027
    /// Folders the server creates (data folder, spool).
    public static let folderMode: mode_t = 0o750
    /// Files the server creates (database, spool files, status file).
    public static let fileMode: mode_t = 0o640

    /// Sets the process's umask to ``fileCreationMask``; call once at process start.
    public static func restrictNewFiles() {
        umask(fileCreationMask)
    }

    /// What in the data folder others can read and should not: the configuration (it holds the
    /// SMTP password, the AMI secret, the AGI key) and the data folder itself. Plain sentences,
    /// each with the command that fixes it; empty when all is well.
    public static func exposureWarnings(configuration: FaxlineConfiguration) -> [String] {
        var warnings: [String] = []
        if let mode = mode(of: configuration.filePath), mode & 0o004 != 0 {
            warnings.append(
                "\(configuration.filePath) holds secrets and every user of this machine can read it (mode \(octal(mode))): "
                    + "chmod o-rwx \(configuration.filePath)")
        }
        if let mode = mode(of: configuration.dataDirectory), mode & 0o007 != 0 {
            warnings.append(
                "the data folder \(configuration.dataDirectory) holds faxes and other users can enter it (mode \(octal(mode))): "
                    + "chmod -R o-rwx \(configuration.dataDirectory)")
        }
        return warnings
    }

    static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    private static func octal(_ mode: mode_t) -> String {
        String(mode, radix: 8)
    }
}
