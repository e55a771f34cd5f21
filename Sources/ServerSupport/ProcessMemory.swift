import CMalloc

/// How the server process uses glibc's malloc. A fax call allocates a few large blocks (the
/// spandsp state, a page's image while it is sent or received) and many small ones from
/// whichever thread runs it; with glibc's defaults they end up in up to 16 arenas on 2 cores
/// that keep their pages after the calls end. `faxline serve` (and the inbound benchmark,
/// which runs the same server) limit that once at start.
public enum ProcessMemory {
    /// Two arenas; blocks of 128 KB or more mapped on their own (given back when freed).
    public static func limitArenas() {
        faxline_malloc_limit(2, 128 * 1024, 256 * 1024)
    }

    /// Returns the pages freed in every arena to the system (when the last call has ended).
    package static func returnFreedMemory() {
        faxline_malloc_trim()
    }
}
