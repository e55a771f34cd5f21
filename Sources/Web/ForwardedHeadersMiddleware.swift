import HTTPTypes
import Hummingbird

/// Takes the client's address and scheme from `X-Forwarded-For` and `X-Forwarded-Proto` only
/// when the connected peer is a trusted proxy; from anyone else those headers are ignored (a
/// client could write anything there).
struct ForwardedHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let trustedProxies: [IPAddressRange]
    let usesTLS: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let client = resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor],
            forwardedProto: request.headers[.xForwardedProto])
        context.clientAddress = client.address
        context.isSecure = client.isSecure
        context.logger[metadataKey: "client"] = "\(client.address ?? "?")"
        return try await next(request, context)
    }

    /// The client's address and whether it used TLS. Proxies append to X-Forwarded-For, so the
    /// rightmost address that is not a trusted proxy is the client; anything left of it is the
    /// client's own claim.
    func resolve(peer: String?, forwardedFor: [String], forwardedProto: String?) -> (address: String?, isSecure: Bool) {
        guard let peer, isTrusted(peer) else { return (peer, usesTLS) }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        let client = chain.reversed().first { !isTrusted($0) } ?? chain.first
        let address = client.flatMap { IPAddressRange.bytes(of: $0) != nil ? $0 : nil } ?? peer
        let scheme = forwardedProto?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased()
        return (address, scheme.map { $0 == "https" } ?? usesTLS)
    }

    func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
