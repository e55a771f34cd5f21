import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    Glibc.write(descriptor, bytes, count)
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    Glibc.close(descriptor)
}
#elseif canImport(Darwin)
import Darwin

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    Darwin.write(descriptor, bytes, count)
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    Darwin.close(descriptor)
}
#endif

/// A new file in a spool folder, written piece by piece: a received message or an attachment
/// taken out of one. Its name is made here (never from what a sender wrote), it is created
/// exclusively with mode 0600, and it is removed unless ``keep()`` hands it on.
final class SpoolFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let path: String
    private var descriptor: Int32
    private var isKept = false
    private(set) var size = 0

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Creates `directory` if needed (mode 0700) and a fresh file in it named `prefix-<uuid><suffix>`.
    static func create(in directory: String, prefix: String, suffix: String = "") throws -> SpoolFile {
        try prepareDirectory(directory)
        let path = directory + "/" + prefix + "-" + UUID().uuidString.lowercased() + suffix
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return SpoolFile(path: path, descriptor: descriptor)
    }

    /// Makes sure `directory` exists as a folder only its owner can enter.
    static func prepareDirectory(_ directory: String) throws {
        var status = stat()
        if lstat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw Failure(description: "spool folder \(directory) is not a folder")
            }
            if status.st_mode & 0o077 != 0, chmod(directory, 0o700) != 0 {
                throw Failure(description: "cannot restrict spool folder \(directory) to mode 0700: \(String(cString: strerror(errno)))")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create spool folder \(directory): \(error.localizedDescription)")
        }
    }

    func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { try write(UnsafeRawBufferPointer($0)) }
    }

    func write(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw Failure(description: "\(path) is already closed") }
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        size += bytes.count
    }

    /// Flushes to disk and closes: what is acknowledged to a sender must survive a crash.
    func finish() throws {
        guard descriptor >= 0 else { return }
        defer {
            _ = systemClose(descriptor)
            descriptor = -1
        }
        guard fsync(descriptor) == 0 else {
            throw Failure(description: "cannot write \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Hands the file on: it is no longer removed when this owner goes away.
    func keep() {
        isKept = true
    }

    /// Closes and removes the file.
    func remove() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
        if !isKept { unlink(path) }
        isKept = true
    }

    deinit {
        remove()
    }
}
