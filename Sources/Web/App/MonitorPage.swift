import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The `faxline status` data for people: the lines (idle, receiving from …, sending to …, for
/// how long), today's counts, the queue and the mail backlog, refreshed live.
struct MonitorPage: Sendable {
    let app: WebApp

    struct Count {
        var label: String
        var value: String
    }

    struct Line {
        var name: String
        var state: String
        var tone: String
        var since: String
    }

    struct Model {
        var chrome: Chrome
        var counts: [Count]
        var warnings: [String]
        var outbound: String?
        var lines: [Line]
        var version: String
        var startedAt: String
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/monitor") { _, context in try await show(context: context) }
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 10 * 1_073_741_824 ? "\(bytes / 1_073_741_824) GB" : "\(bytes / 1_048_576) MB"
    }

    private func show(context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        try WebApp.require(session, .serverStatus)
        let status = try await app.services.monitor.status()
        let now = app.now()
        let waiting = (status.queue[.queued] ?? 0) + (status.queue[.requeued] ?? 0)
        let active = (status.queue[.dialing] ?? 0) + (status.queue[.sending] ?? 0)
        let model = Model(
            chrome: Chrome(title: "Monitor", session: session, current: .monitor),
            counts: [
                Count(label: "received today", value: "\(status.inboundCalls)"),
                Count(label: "sent today", value: "\(status.outboundCalls)"),
                Count(label: "succeeded", value: "\(status.succeeded)"),
                Count(label: "failed", value: "\(status.failed)"),
                Count(label: "waiting to send", value: "\(waiting)"),
                Count(label: "on the line", value: "\(active)"),
                Count(label: "mails to send", value: "\(status.mailBacklog)"),
                Count(label: "free disk", value: status.freeDiskBytes.map(Self.size) ?? "?"),
            ],
            warnings: [status.refusingCalls.map { "Refusing calls: \($0)" },
                       status.refusedNoFreeLine > 0 ? "\(Plural.count(status.refusedNoFreeLine, "call")) refused for want of a free line" : nil]
                .compactMap { $0 },
            outbound: status.outbound.map { "Outbound: \($0)." },
            lines: status.lines.map { line in
                var state = line.state
                if line.state != "idle", let number = line.remoteNumber, !number.isEmpty {
                    state += (line.direction == "outbound" ? " to " : " from ") + UntrustedText.cleaned(number)
                }
                return Line(name: line.name, state: state, tone: line.state == "idle" ? "plain" : "busy",
                            since: WebDisplay.duration(max(now.timeIntervalSince(line.since), 0)))
            },
            version: status.version, startedAt: WebDisplay.time(status.startedAt))
        return app.renderer.page("monitor", model)
    }
}
