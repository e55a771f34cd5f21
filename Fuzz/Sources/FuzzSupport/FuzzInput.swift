/// One input from libFuzzer: a few control bytes first, then the bytes the parser reads.
///
/// The control bytes let the fuzzer choose, along with the data, where the stream is split
/// into two reads, whether the peer half-closes it, and whether the decoder runs with tiny
/// limits (so that every limit is reached by inputs of a few hundred bytes). Seed files start
/// with ``controlLength`` such bytes; `scripts/fuzz` writes them with `printf '\0\0\0\0'`.
public struct FuzzInput: Sendable {
    /// Bytes before the data: split point (2, big endian), flags (1), limit seed (1).
    public static let controlLength = 4

    /// The bytes the parser reads.
    public let data: [UInt8]
    private let splitSeed: Int
    private let flags: UInt8
    private let limitSeed: UInt8

    /// Takes the input libFuzzer passes to `LLVMFuzzerTestOneInput`.
    public init(_ start: UnsafePointer<UInt8>?, _ count: Int) {
        self.init(Self.bytes(start, count))
    }

    /// The whole input as bytes, for targets that read a file rather than a stream.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    public init(_ bytes: [UInt8]) {
        var control = bytes.prefix(Self.controlLength).map { $0 }
        control += Array(repeating: 0, count: Self.controlLength - control.count)
        data = Array(bytes.dropFirst(Self.controlLength))
        splitSeed = Int(control[0]) << 8 | Int(control[1])
        flags = control[2]
        limitSeed = control[3]
    }

    /// Where the stream is cut into two reads: 0...data.count.
    public var splitPoint: Int { splitSeed % (data.count + 1) }

    /// The data in the two reads a peer's writes may arrive in.
    public var chunks: [ArraySlice<UInt8>] {
        [data[..<splitPoint], data[splitPoint...]]
    }

    /// The peer half-closes the connection after its last byte (the decoder then sees EOF).
    public var closesInput: Bool { flags & 0x01 != 0 }

    /// The decoder runs with tiny limits picked by ``limit(_:)`` rather than the server's own.
    public var usesTinyLimits: Bool { flags & 0x02 != 0 }

    /// A flag bit a target may use for a choice of its own (bits 2–7).
    public func flag(_ bit: Int) -> Bool {
        precondition((2..<8).contains(bit), "bits 0 and 1 are the harness's")
        return flags & (1 << UInt8(bit)) != 0
    }

    /// A small limit in `range`, chosen by the limit seed; `salt` gives different limits of one
    /// decoder different values.
    public func limit(_ range: ClosedRange<Int>, salt: Int = 0) -> Int {
        let mixed = (Int(limitSeed) &* 31 &+ salt &* 17) & 0xFFFF
        return range.lowerBound + mixed % (range.count)
    }

    /// The data as text, the way a String reads bytes off a socket (invalid UTF-8 repaired).
    public var text: String { String(decoding: data, as: UTF8.self) }
}
