import NIOCore
import NIOPosix

/// The event loops that carry calls' audio: four per core, apart from the other listeners'.
///
/// A call's frame path runs on its connection's loop, and a few steps of the fax engine take
/// milliseconds rather than microseconds: when a received page ends, spandsp decodes the last
/// ECM block and writes the page into the TIFF inside `fax_rx` (about 6 ms). With one loop per
/// core every other call on that loop waited behind each such step, and 200 pages ending in the
/// same second held frames back for up to 0.8 s. With more loops than cores the kernel shares
/// the cores among them, so a long step delays the frames of its own call and few others.
public enum MediaEventLoops {
    public static let loopsPerCore = 4
    public static let shared = MultiThreadedEventLoopGroup(numberOfThreads: loopsPerCore * System.coreCount)
}
