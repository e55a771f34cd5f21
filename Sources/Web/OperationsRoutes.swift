import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/healthz`, `/readyz` and `/metrics`: next to the API, not under it — no token (probes and
/// Prometheus scrape without one; the listener is on loopback unless configured otherwise),
/// no rate limit.
struct OperationsRoutes {
    static let healthPath = "/healthz"
    static let readinessPath = "/readyz"
    static let metricsPath = "/metrics"

    let monitor: any OperationsMonitor
    /// `[web] metrics = off`: `/metrics` is not there (404).
    let servesMetrics: Bool

    func register(on router: Router<WebRequestContext>) {
        // Alive is an answer at all: nothing is read, so a stuck database cannot make a
        // supervisor restart a server that is only waiting.
        router.get(RouterPath(Self.healthPath)) { _, _ in
            Self.json(.ok, ["status": "alive"])
        }
        router.get(RouterPath(Self.readinessPath)) { [monitor] _, _ in
            let problems = await monitor.readinessProblems()
            guard problems.isEmpty else { return Self.json(.serviceUnavailable, NotReady(problems: problems)) }
            return Self.json(.ok, ["status": "ready"])
        }
        if servesMetrics {
            router.get(RouterPath(Self.metricsPath)) { [monitor] _, _ in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                headers[.cacheControl] = "no-store"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: await monitor.metricsExposition())))
            }
        }
    }

    private struct NotReady: Encodable {
        var status = "not ready"
        var problems: [ReadinessProblem]
    }

    private static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
