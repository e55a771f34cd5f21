import Accounts
import FaxCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle
import Synchronization

/// The HTTP server of `faxline serve`: the REST API under `/api/v1` (generated from
/// openapi.yaml), `/healthz`, `/readyz`, `/metrics` beside it (`OperationsRoutes`) and the web
/// app's pages (`WebApp`), on Hummingbird, as a service of the server's `ServiceGroup`. `router` is open
/// for the web app's routes next to the API's, before `run` starts.
///
/// Sendable by hand: `router` is changed only while the server is being put together, before
/// `makeApplication` or `run`; from then on it is only read.
public final class WebServer: Service, @unchecked Sendable {
    public let configuration: WebConfiguration
    public let router: Router<WebRequestContext>
    private let logger: Logger
    private let boundAddress = Mutex<SocketAddress?>(nil)
    private let started = AsyncStream<Void>.makeStream()

    public static let apiPrefix = "/api/v1"

    /// `now` is the clock tokens are checked against (tests pass their own).
    public init(
        configuration: WebConfiguration, services: APIServices, operations: any OperationsMonitor, logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.configuration = configuration
        self.logger = logger
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: ForwardedHeadersMiddleware(trustedProxies: configuration.trustedProxies, usesTLS: configuration.usesTLS))
        OperationsRoutes(monitor: operations, servesMetrics: configuration.servesMetrics).register(on: router)
        let api = router.group(RouterPath(Self.apiPrefix))
        api.add(middleware: TokenAuthenticationMiddleware(
            authenticator: Authenticator(store: services.accounts, logger: logger), publicPaths: [Self.apiPrefix + "/openapi.yaml"],
            now: now))
        api.add(middleware: RateLimitMiddleware(limiter: RateLimiter(rate: configuration.rateLimit, burst: configuration.rateBurst)))
        api.add(middleware: UploadLimitMiddleware(limit: configuration.maximumUploadBytes))
        let handlers = FaxlineAPI(services: services, previews: PagePreviews(directory: services.faxes.previewDirectory), now: now)
        // On the group, so that its middleware (token, rate, upload limit) runs for every operation.
        // Compact JSON: pretty printing made a page of 50 faxes a third larger and slower to write.
        // `FaxPageJSON` writes the fax list the way this configuration would.
        let dates = RFC3339DateTranscoder()
        try handlers.registerHandlers(
            on: api, serverURL: URL(string: "/")!, configuration: Self.apiConfiguration(dates: dates),
            middlewares: [NoContentTypeMiddleware(), FaxPageJSON.Middleware(dates: dates)])
        try WebApp(services: services, usesTLS: configuration.usesTLS, maximumUploadBytes: configuration.maximumUploadBytes, logger: logger, now: now)
            .register(on: router)
        self.router = router
    }

    /// How the generated handlers read and write JSON (`FaxPageJSON` writes as this does).
    static func apiConfiguration(dates: RFC3339DateTranscoder = RFC3339DateTranscoder()) -> Configuration {
        Configuration(dateTranscoder: dates, jsonEncodingOptions: [.sortedKeys])
    }

    /// The application, for running and for in-process tests.
    public func makeApplication() throws -> some ApplicationProtocol {
        let server: HTTPServerBuilder = if configuration.usesTLS { try .tls(.http1(), tlsConfiguration: try tlsConfiguration()) } else { .http1() }
        return Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host ?? "127.0.0.1", port: configuration.port), serverName: "faxline"),
            onServerRunning: { [self] channel in
                boundAddress.withLock { $0 = channel.localAddress }
                started.continuation.yield()
                started.continuation.finish()
            },
            logger: logger)
    }

    public func run() async throws {
        let application = try makeApplication()
        logger.notice("HTTP server listening", metadata: [
            "bind": "\(configuration.bindDescription)", "tls": "\(configuration.usesTLS)",
        ])
        try await application.run()
    }

    /// Where the server listens, once it does (its port may have been chosen by the system).
    public var localAddress: SocketAddress? {
        get async {
            for await _ in started.stream {}
            return boundAddress.withLock { $0 }
        }
    }

    private func tlsConfiguration() throws -> TLSConfiguration {
        guard let certificatePath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath else {
            throw WebServerError.tls("TLS needs tls_certificate and tls_key")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            return tls
        } catch {
            throw WebServerError.tls("cannot read the certificate \(certificatePath) or the key \(keyPath): \(error)")
        }
    }
}

public enum WebServerError: Error, CustomStringConvertible {
    case tls(String)

    public var description: String {
        switch self {
        case .tls(let reason): "[web] TLS: \(reason)"
        }
    }
}
