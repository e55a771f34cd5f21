import Foundation
import OpenAPIRuntime
import Testing
@testable import Web

@Suite("REST API: dates written as the OpenAPI runtime's default transcoder writes them")
struct RFC3339DateTranscoderTests {
    /// SplitMix64: the same dates on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    @Test("byte for byte the same as ISO8601DateTranscoder: random instants 1600–9999 with fractions, and the edges")
    func sameAsDefault() throws {
        let fast = RFC3339DateTranscoder()
        let reference = ISO8601DateTranscoder.iso8601
        var generator = SeededGenerator(state: 11)
        let year1600 = -11_676_096_000.0
        let year10000 = 253_402_300_800.0
        var instants = (0..<20_000).map { _ in Double.random(in: year1600..<year10000, using: &generator) }
        // Whole seconds, the last millisecond of a second and of a day, leap days, the epoch
        // from both sides, the range's ends and beyond them (the fallback).
        instants += [0, -0.001, -0.5, -1, 0.999, 86_399.999, 951_782_400, 951_868_799.999, 1_709_164_800, 4_107_456_000]
        instants += [year1600, year1600 - 1, year10000 - 0.001, year10000, -62_135_596_800, 300_000_000_000]
        instants += (0..<2_000).map { _ in Double(Int.random(in: Int(year1600)..<Int(year10000), using: &generator)) }
        var checked = 0
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let written = try fast.encode(date)
            #expect(written == (try reference.encode(date)), "\(instant)")
            checked += 1
        }
        #expect(checked == instants.count)
    }

    @Test("reads what it writes, and what the default transcoder reads (offsets); refuses what it refuses")
    func decoding() throws {
        let fast = RFC3339DateTranscoder()
        let date = Date(timeIntervalSince1970: 1_764_684_191)
        #expect(try fast.decode(try fast.encode(date)) == date)
        #expect(try fast.decode("2025-12-02T15:03:11+01:00") == date)
        #expect(throws: (any Error).self) { try fast.decode("2025-12-02 14:03:11") }
    }
}
