/// `[web]` in faxline.conf: where the HTTP server listens and its limits.
public struct WebConfiguration: Sendable, Equatable {
    /// `nil` (`bind = off`): no HTTP server.
    public var host: String? = "127.0.0.1"
    public var port = 8080
    /// PEM files; with both set the server speaks only HTTPS.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Peers whose X-Forwarded-For and X-Forwarded-Proto are believed.
    public var trustedProxies: [IPAddressRange] = []
    /// Largest request body, in bytes (uploads of documents to send).
    public var maximumUploadBytes = 50 * 1024 * 1024
    /// Requests a second per token, and how many may come at once.
    public var rateLimit: Double = 20
    public var rateBurst = 100
    /// `/metrics` (Prometheus, no token); `metrics = off` removes it.
    public var servesMetrics = true

    public init() {}

    public var usesTLS: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }

    public var bindDescription: String { host.map { "\($0):\(port)" } ?? "off" }
}
