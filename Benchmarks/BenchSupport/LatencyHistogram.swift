/// Durations in milliseconds, counted in 0.1 ms buckets up to 1 s (longer ones kept as they
/// are): percentiles of hundreds of thousands of frames without keeping them all.
package struct LatencyHistogram: Codable, Sendable {
    static let bucketsPerMillisecond = 10.0
    static let bucketCount = 10_000

    private(set) var buckets = [Int](repeating: 0, count: LatencyHistogram.bucketCount)
    private(set) var beyond: [Double] = []
    package private(set) var count = 0
    package private(set) var maximum = 0.0

    package init() {}

    package mutating func record(milliseconds: Double) {
        let value = max(0, milliseconds)
        count += 1
        maximum = max(maximum, value)
        let bucket = Int(value * Self.bucketsPerMillisecond)
        if bucket < Self.bucketCount { buckets[bucket] += 1 } else { beyond.append(value) }
    }

    package mutating func merge(_ other: LatencyHistogram) {
        for index in buckets.indices { buckets[index] += other.buckets[index] }
        beyond += other.beyond
        count += other.count
        maximum = max(maximum, other.maximum)
    }

    /// The value below which a fraction `p` of the durations lie (bucket resolution).
    package func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = min(count - 1, Int(Double(count) * p))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += n
            if seen > rank { return Double(index + 1) / Self.bucketsPerMillisecond }
        }
        let sorted = beyond.sorted()
        return sorted[min(sorted.count - 1, rank - seen)]
    }

    /// How many took longer than `milliseconds`.
    package func count(over milliseconds: Double) -> Int {
        let first = Int(milliseconds * Self.bucketsPerMillisecond)
        guard first < Self.bucketCount else { return beyond.count { $0 > milliseconds } }
        return buckets[first...].reduce(0, +) + beyond.count
    }
}
