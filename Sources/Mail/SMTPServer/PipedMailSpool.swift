import Foundation

/// A message handed over on a pipe (`faxline mail-submit` under an MTA), written to a spool
/// file as it is read — never held whole — and refused beyond a size.
public enum PipedMailSpool {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case tooLarge(limit: Int)
        case empty
        case storage(String)

        public var description: String {
            switch self {
            case .tooLarge(let limit): "the message is larger than the limit of \(limit) bytes"
            case .empty: "the message is empty"
            case .storage(let reason): "cannot store the message: \(reason)"
            }
        }
    }

    /// Reads `input` to its end and forgets it: the MTA writing a refused message must see the
    /// exit status, not a broken pipe.
    public static func discard(_ input: FileHandle, chunkSize: Int = 64 * 1024) {
        while let more = try? input.read(upToCount: chunkSize), !more.isEmpty {}
    }

    /// Reads `input` to its end into a new file in `directory` (mode 0600); returns its path
    /// and size. Nothing is left behind on a failure.
    public static func store(_ input: FileHandle, in directory: String, maximumBytes: Int, chunkSize: Int = 64 * 1024)
        throws(Failure) -> (path: String, size: Int)
    {
        let file: SpoolFile
        do {
            file = try SpoolFile.create(in: directory, prefix: "pipe", suffix: ".eml")
        } catch {
            throw .storage("\(error)")
        }
        while true {
            let chunk: Data?
            do {
                chunk = try input.read(upToCount: chunkSize)
            } catch {
                file.remove()
                throw .storage("cannot read the message: \(error)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            guard file.size + chunk.count <= maximumBytes else {
                file.remove()
                discard(input, chunkSize: chunkSize)
                throw .tooLarge(limit: maximumBytes)
            }
            do {
                try file.write(chunk)
            } catch {
                file.remove()
                throw .storage("\(error)")
            }
        }
        guard file.size > 0 else {
            file.remove()
            throw .empty
        }
        do {
            try file.finish()
        } catch {
            file.remove()
            throw .storage("\(error)")
        }
        file.keep()
        return (file.path, file.size)
    }
}
