import Foundation

/// Reads a pipe to its end on a thread of its own, so that a child process writing more than
/// the pipe holds is never blocked while the test waits for it to exit.
public final class PipeCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    public func wait() -> Data {
        done.wait()
        return data
    }
}
