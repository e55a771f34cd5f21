import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// The received faxes of the user's devices (every fax for administrators), newest first, 50 a
/// page with the API's keyset listing; filters by device, status and date, search by caller
/// or station id; unread marks per user.
struct InboxPage: Sendable {
    let app: WebApp
    static let pageSize = 50

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Row {
        var href: String
        var thumbnail: String?
        var from: String
        var detail: String
        var unread: Bool
        var time: String
        var machineTime: String
        var device: String
        var pages: String
        var status: String
        var statusTone: String
        var delivery: String
    }

    struct Model {
        var chrome: Chrome
        var summary: String
        var search: String
        var devices: [Option]
        var statuses: [Option]
        var since: String
        var until: String
        var filtered: Bool
        var empty: Bool
        var faxes: [Row]
        var firstHref: String?
        var nextHref: String?
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/") { _, context in
            _ = try context.requireSession()
            return WebApp.redirect("/inbox")
        }
        router.get("/inbox") { request, context in try await show(request, context: context) }
    }

    func show(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try context.requireSession()
        let query = WebForm(query: request)
        let devices = try await visibleDevices(session)
        let device = query.text("device").flatMap { wanted in devices.contains { $0.extensionNumber == wanted } ? wanted : nil }
        let status = query.text("status").flatMap(FaxStatus.init(rawValue:))
        let since = query.text("since").flatMap(Self.day)
        let until = query.text("until").flatMap(Self.day)
        let search = query.text("q").map { String($0.prefix(64)) }
        let cursor = query.text("cursor")
        let listing = FaxListQuery(
            scope: AccessPolicy.listScope(for: session.principal), limit: Self.pageSize, cursor: cursor, direction: .received,
            statuses: status.map { [$0] } ?? [], deviceExtension: device, search: search, since: since,
            until: until.map { $0.addingTimeInterval(86_400) })
        let page = try await app.services.faxes.faxes(listing)
        var read = Set<String>()
        if let userID = session.principal.user.id { read = try await app.services.faxes.readFaxIDs(page.items.map(\.id), userID: userID) }
        let names = Dictionary(devices.map { ($0.extensionNumber, $0.name) }, uniquingKeysWith: { first, _ in first })

        let filters: [(String, String)] = [
            ("q", search ?? ""), ("device", device ?? ""), ("status", status?.rawValue ?? ""),
            ("since", query.text("since") ?? ""), ("until", query.text("until") ?? ""),
        ].filter { !$0.1.isEmpty }
        let model = Model(
            chrome: Chrome(title: "Inbox", session: session, current: .inbox),
            summary: page.items.isEmpty ? "" : (cursor == nil ? "Newest \(page.items.count)" : "\(page.items.count) older")
                + (page.nextCursor == nil ? "" : ", more below"),
            search: search ?? "",
            devices: devices.map { Option(value: $0.extensionNumber, label: "\($0.extensionNumber) · \($0.name)", selected: $0.extensionNumber == device) },
            statuses: [FaxStatus.received, .partial, .failed, .receiving].map {
                Option(value: $0.rawValue, label: WebDisplay.faxStatus($0), selected: $0 == status)
            },
            since: query.text("since").flatMap { Self.day($0) == nil ? nil : $0 } ?? "",
            until: query.text("until").flatMap { Self.day($0) == nil ? nil : $0 } ?? "",
            filtered: !filters.isEmpty, empty: page.items.isEmpty,
            faxes: page.items.map { row($0, unread: !read.contains($0.id), deviceNames: names) },
            firstHref: cursor == nil ? nil : "/inbox" + (filters.isEmpty ? "" : "?" + WebForm.encode(filters)),
            nextHref: page.nextCursor.map { "/inbox?" + WebForm.encode(filters + [("cursor", $0)]) })
        return app.renderer.page("inbox", model)
    }

    private func row(_ fax: FaxRecord, unread: Bool, deviceNames: [String: String]) -> Row {
        let from = fax.callerName.isEmpty ? (fax.callerNumber.isEmpty ? "Unknown caller" : fax.callerNumber) : fax.callerName
        var detail: [String] = []
        if !fax.callerName.isEmpty, !fax.callerNumber.isEmpty { detail.append(fax.callerNumber) }
        if !fax.session.remoteStationID.isEmpty { detail.append("station \(fax.session.remoteStationID)") }
        if fax.status == .failed, !fax.session.errorText.isEmpty { detail.append(fax.session.errorText) }
        return Row(
            href: "/faxes/\(fax.id)", thumbnail: fax.files.pdf == nil ? nil : "/faxes/\(fax.id)/pages/1?size=thumbnail", from: from,
            detail: detail.joined(separator: " · "), unread: unread, time: WebDisplay.time(fax.createdAt),
            machineTime: WebDisplay.machineTime(fax.createdAt),
            device: fax.deviceExtensions.map { number in deviceNames[number].map { "\($0) (\(number))" } ?? number }.joined(separator: ", "),
            pages: Plural.count(fax.session.pages, "page"), status: WebDisplay.faxStatus(fax.status), statusTone: WebDisplay.tone(fax.status),
            delivery: WebDisplay.delivery(fax.deliveryState))
    }

    /// The devices the user may filter by: their own; every device for administrators.
    private func visibleDevices(_ session: WebSessions.SignedIn) async throws -> [FaxDevice] {
        let all = try await app.services.administration.devices()
        let user = session.principal.user
        return user.isAdmin ? all : all.filter { user.deviceExtensions.contains($0.extensionNumber) }
    }

    /// A date input's value (YYYY-MM-DD) as the start of that day in the server's time zone.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1970...9999).contains(parts[0]) else { return nil }
        return Calendar.current.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
