import Foundation

/// CPU time and resident memory of a process, from the kernel's own accounting.
package enum ProcessUsage {
    /// User and system CPU seconds of this process, all threads.
    package static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return seconds(usage)
    }

    /// CPU seconds of the child processes this process started and waited for (Ghostscript
    /// drawing the previews of received faxes).
    package static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return seconds(usage)
    }

    private static func seconds(_ usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// Resident memory of this process: all of it (shared library code included) and its own
    /// (resident minus file-backed and shared pages: heaps, stacks, buffers — what the calls
    /// cost). From /proc/self/statm, one short line: the benchmarks sample it four times a
    /// second inside the CPU they measure.
    package static func resident() -> (total: Int, anonymous: Int) {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return (0, 0) }
        let fields = statm.split(separator: " ").compactMap { Int($0) }
        guard fields.count >= 3 else { return (0, 0) }
        let page = sysconf(Int32(_SC_PAGESIZE))
        return (fields[1] * page, (fields[1] - fields[2]) * page)
    }

    /// The machine's load average over the last minute.
    package static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
