import FaxCore

/// Where and how the AMI client connects.
public struct AMIClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    /// Shown as `••••` wherever the configuration is printed or logged.
    public var secret: Secret
    /// The `Events` of the Login action: `call` brings `Newchannel`, `OriginateResponse` and
    /// `Hangup`; `system` brings `Shutdown` (when the account may read it), so that calls
    /// pending when Asterisk stops end as "manager down" at once.
    public var events: String
    public var connectTimeout: Duration
    /// How long to wait for the banner and the Login response.
    public var loginTimeout: Duration
    /// Default time to wait for the response to an action.
    public var actionTimeout: Duration
    /// A Ping is sent this often while logged in …
    public var pingInterval: Duration
    /// … and the connection is dropped and reopened if its Pong takes longer than this.
    public var pingTimeout: Duration
    /// Added to an Originate's dial timeout when waiting for its `OriginateResponse`.
    public var originateResponseMargin: Duration
    /// How long to wait for the `Hangup` of a failed call, whose Q.850 cause refines the outcome.
    public var hangupCauseGrace: Duration
    /// How long graceful shutdown waits for the Logoff response.
    public var logoffTimeout: Duration
    public var backoff: AMIReconnectBackoff
    public var decoderLimits: AMIDecoderLimits

    public init(
        host: String = "127.0.0.1", port: Int = 5038, username: String, secret: Secret, events: String = "call,system",
        connectTimeout: Duration = .seconds(5), loginTimeout: Duration = .seconds(10), actionTimeout: Duration = .seconds(10),
        pingInterval: Duration = .seconds(20), pingTimeout: Duration = .seconds(5),
        originateResponseMargin: Duration = .seconds(30), hangupCauseGrace: Duration = .milliseconds(500),
        logoffTimeout: Duration = .seconds(2), backoff: AMIReconnectBackoff = AMIReconnectBackoff(),
        decoderLimits: AMIDecoderLimits = AMIDecoderLimits()
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.secret = secret
        self.events = events
        self.connectTimeout = connectTimeout
        self.loginTimeout = loginTimeout
        self.actionTimeout = actionTimeout
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.originateResponseMargin = originateResponseMargin
        self.hangupCauseGrace = hangupCauseGrace
        self.logoffTimeout = logoffTimeout
        self.backoff = backoff
        self.decoderLimits = decoderLimits
    }
}
