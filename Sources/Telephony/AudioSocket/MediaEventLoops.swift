import NIOCore
import NIOPosix

/// The event loops that carry calls' audio: four per core, apart from the other listeners'.
///
/// A call's frame path runs on its connection's loop, and a few steps of the fax engine take
/// milliseconds rather than microseconds: when a received page ends, spandsp decodes the last
/// ECM block inside `fax_rx` (about 3 ms; the page is then written elsewhere, see
/// `ReceivedPageWriter`). With one loop per core every other call on that loop waited behind
/// each such step. With more loops than cores the kernel shares the cores among them, so a long
/// step delays the frames of its own call and few others.
public enum MediaEventLoops {
    public static let loopsPerCore = 4
    public static let shared = MultiThreadedEventLoopGroup(numberOfThreads: loopsPerCore * System.coreCount)
}
