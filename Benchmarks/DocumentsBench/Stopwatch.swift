#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall time and CPU time (this process and the tools it waited for) of one piece of work.
/// The converters run Ghostscript as a child, so the process's own CPU time alone would hide
/// most of the work; the children's time is counted once they have been reaped.
struct Timing {
    var wall: Double
    var cpu: Double

    static let infinite = Timing(wall: .infinity, cpu: .infinity)

    func best(_ other: Timing) -> Timing {
        Timing(wall: min(wall, other.wall), cpu: min(cpu, other.cpu))
    }
}

enum Stopwatch {
    static func measure<T>(_ work: () async throws -> T) async rethrows -> (T, Timing) {
        let clock = ContinuousClock()
        let cpuBefore = cpuSeconds()
        let start = clock.now
        let value = try await work()
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (value, Timing(wall: wall, cpu: cpuSeconds() - cpuBefore))
    }

    static func cpuSeconds() -> Double {
        func seconds(_ who: Int32) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who), &usage)
            return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
    }
}
