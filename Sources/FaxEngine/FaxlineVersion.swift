import CSpanDSP

public enum FaxlineVersion {
    public static let version = "0.1.0"
    /// The spandsp release the engine was built against, e.g. "20110122 075024" for 0.0.6.
    public static let spandspRelease = SPANDSP_RELEASE_DATETIME_STRING
}
