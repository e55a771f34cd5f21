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

    /// Resident memory of this process: all of it (VmRSS, shared library code included) and
    /// its own anonymous memory (RssAnon: heaps, stacks, buffers — what the calls cost).
    package static func resident() -> (total: Int, anonymous: Int) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func kilobytes(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (kilobytes("VmRSS:") * 1024, kilobytes("RssAnon:") * 1024)
    }

    /// The machine's load average over the last minute.
    package static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
