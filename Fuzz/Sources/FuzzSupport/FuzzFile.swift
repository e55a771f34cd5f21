#if canImport(Glibc)
import Glibc
#endif

/// The input as a file, for parsers that read files (libtiff, libpng, libjpeg open a path):
/// one file per fuzzing process, rewritten for every input.
public enum FuzzFile {
    /// Writes `bytes` to this process's input file with the name ending in `suffix`; returns its path.
    public static func write(_ bytes: [UInt8], suffix: String) -> String {
        // A file in memory where there is one: on a disk, truncating and writing the file for
        // every input took more than half of the `tiff` target's time.
        let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        let path = "\(directory)/faxline-fuzz-\(getpid())\(suffix)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        fuzzCheck(descriptor >= 0, "cannot create the input file \(path)")
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            fuzzCheck(result > 0, "cannot write the input file \(path)")
            written += result
        }
        return path
    }
}
