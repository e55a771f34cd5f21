import Accounts
import Hummingbird
import NIOCore

/// The request context of the web server: the peer's address, and what the trusted-proxy rules
/// made of it (`ForwardedHeadersMiddleware`); for the web app's pages, the signed-in session.
public struct WebRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer (a reverse proxy, when there is one).
    public let remoteAddress: SocketAddress?
    /// The client's address: the peer's, or from X-Forwarded-For when the peer is a trusted proxy.
    public var clientAddress: String?
    /// Whether the client used TLS (to us, or to a trusted proxy that says so in X-Forwarded-Proto).
    public var isSecure = false
    /// The web app's session (`WebAppMiddleware`), when the browser is signed in.
    public var session: WebSessions.SignedIn?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress
    }
}
