import Accounts
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird

/// Administration of fax devices: the list (with their users and retention), add, change,
/// remove — `FaxAdministration` as the API's `/devices` uses it, the model's rules
/// (`FaxDevice`, `RetentionOverride`) deciding what is valid.
struct DevicesPage: Sendable {
    let app: WebApp

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct Detail {
        var label: String
        var value: String
    }

    struct Row {
        var extensionNumber: String
        var name: String
        var href: String
        var state: String
        var tone: String
        var details: [Detail]
    }

    /// The fields of the add or edit form, as shown (after a refusal: as the user typed them).
    struct Fields {
        var extensionNumber = ""
        var name = ""
        var emails = ""
        var formats: [Option] = DevicesPage.formats(selected: .pdf)
        var stationID = ""
        var header = ""
        var group = ""
        var enabled = true
        var retentionDays = ""
        var zeroRetention = false
    }

    struct ListModel {
        var chrome: Chrome
        var notice: String?
        var message: String?
        var devices: [Row]
        var fields: Fields
    }

    struct EditModel {
        var chrome: Chrome
        var href: String
        var message: String?
        var fields: Fields
        var users: String
        var minimumDays: Int
    }

    func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/admin/devices") { request, context in try await list(request, context: context) }
        router.post("/admin/devices") { request, context in try await add(request, context: context) }
        router.get("/admin/devices/:extension") { _, context in try await edit(context: context) }
        router.post("/admin/devices/:extension") { request, context in try await change(request, context: context) }
        router.post("/admin/devices/:extension/remove") { request, context in try await remove(request, context: context) }
    }

    private func list(_ request: Request, context: WebRequestContext) async throws -> Response {
        let session = try AdminPage.administrator(context, .devices)
        let notice: String? = switch WebForm(query: request)["done"] {
        case "added": "The device was added."
        case "changed": "The device was changed."
        case "removed": "The device was removed; its faxes stay."
        default: nil
        }
        return try await listPage(session, notice: notice, message: nil, fields: Fields(), status: .ok)
    }

    private func listPage(
        _ session: WebSessions.SignedIn, notice: String?, message: String?, fields: Fields, status: HTTPResponse.Status
    ) async throws -> Response {
        let administration = app.services.administration
        let overrides = try await administration.retentionOverrides()
        let users = try await app.services.accounts.users()
        let disabledGroups = try await administration.routingTable().flags.disabledGroups
        let rows = try await administration.devices().map { device in
            let switchedOff = device.group.map { disabledGroups.contains($0) } ?? false
            var details = [
                Detail(label: "Mail to", value: device.emailAddresses.joined(separator: ", ") + " as \(device.deliveryFormat.rawValue)"),
                Detail(label: "Group", value: device.group ?? "none"),
                Detail(label: "Station id", value: device.stationID.isEmpty ? "the server's" : device.stationID),
                Detail(label: "Retention", value: Self.retention(overrides.devices[device.extensionNumber])),
                Detail(label: "Users", value: Self.users(of: device, users)),
            ]
            if !device.headerText.isEmpty { details.insert(Detail(label: "Header", value: device.headerText), at: 3) }
            return Row(
                extensionNumber: device.extensionNumber, name: device.name, href: "/admin/devices/\(device.extensionNumber)",
                state: !device.isEnabled ? "disabled" : switchedOff ? "group off" : "enabled",
                tone: device.isEnabled && !switchedOff ? "good" : "bad", details: details)
        }
        let model = ListModel(
            chrome: Chrome(title: "Devices", session: session, current: .admin), notice: notice, message: message, devices: rows, fields: fields)
        return app.renderer.page("adminDevices", model, status: status)
    }

    private func add(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .devices)
        let fields = Self.fields(form)
        do {
            let device = try FaxDevice(
                extensionNumber: fields.extensionNumber, name: fields.name, emailAddresses: Self.addresses(fields.emails),
                deliveryFormat: try Self.format(form), stationID: fields.stationID, headerText: fields.header, isEnabled: fields.enabled,
                group: fields.group.isEmpty ? nil : fields.group)
            let days = try AdminPage.days(form.text("retention_days"), field: "retention days")
            _ = try await app.services.administration.addDevice(
                device, retention: FaxlineAPI.retentionChange(days: days, zeroRetention: fields.zeroRetention),
                actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await listPage(session, notice: nil, message: refusal.message, fields: fields, status: refusal.status)
        }
        return WebApp.redirect("/admin/devices?done=added")
    }

    private func device(_ context: WebRequestContext) async throws -> FaxDevice {
        let number = try context.parameters.require("extension")
        guard let device = try await app.services.administration.device(extension: number) else {
            throw WebPageError.notFound("Fax device \(number.prefix(20))")
        }
        return device
    }

    private func edit(context: WebRequestContext) async throws -> Response {
        let session = try AdminPage.administrator(context, .devices)
        let device = try await device(context)
        let override = try await app.services.administration.retentionOverrides().devices[device.extensionNumber]
        return try await editPage(session, device: device, message: nil, fields: Self.fields(device, override), status: .ok)
    }

    private func editPage(
        _ session: WebSessions.SignedIn, device: FaxDevice, message: String?, fields: Fields, status: HTTPResponse.Status
    ) async throws -> Response {
        let users = try await app.services.accounts.users()
        let model = EditModel(
            chrome: Chrome(title: "Device \(device.extensionNumber)", session: session, current: .admin),
            href: "/admin/devices/\(device.extensionNumber)", message: message, fields: fields, users: Self.users(of: device, users),
            minimumDays: RetentionPolicy.minimumDays)
        return app.renderer.page("adminDevice", model, status: status)
    }

    private func change(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (form, session) = try await AdminPage.posted(request, context: context, .devices)
        let device = try await device(context)
        var fields = Self.fields(form)
        fields.extensionNumber = device.extensionNumber
        do {
            let changes = FaxDevice.Changes(
                name: fields.name, emailAddresses: Self.addresses(fields.emails), deliveryFormat: try Self.format(form),
                stationID: fields.stationID, headerText: fields.header, isEnabled: fields.enabled,
                group: fields.group.isEmpty ? .remove : .set(fields.group))
            // Blank days go back to the default, as 0 does in the API.
            let days = try AdminPage.days(form.text("retention_days"), field: "retention days") ?? 0
            _ = try await app.services.administration.changeDevice(
                extension: device.extensionNumber, changes, retention: FaxlineAPI.retentionChange(days: days, zeroRetention: fields.zeroRetention),
                actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await editPage(session, device: device, message: refusal.message, fields: fields, status: refusal.status)
        }
        return WebApp.redirect("/admin/devices?done=changed")
    }

    private func remove(_ request: Request, context: WebRequestContext) async throws -> Response {
        let (_, session) = try await AdminPage.posted(request, context: context, .devices)
        let device = try await device(context)
        do {
            try await app.services.administration.removeDevice(extension: device.extensionNumber, actor: WebApp.actor(session))
        } catch {
            let refusal = try AdminPage.refusal(error)
            let override = try await app.services.administration.retentionOverrides().devices[device.extensionNumber]
            return try await editPage(session, device: device, message: refusal.message, fields: Self.fields(device, override), status: refusal.status)
        }
        return WebApp.redirect("/admin/devices?done=removed")
    }

    // MARK: - Form fields

    private static func fields(_ form: WebForm) -> Fields {
        var fields = Fields()
        fields.extensionNumber = form.text("extension") ?? ""
        fields.name = form.text("name") ?? ""
        fields.emails = form["emails"] ?? ""
        fields.formats = formats(selected: DeliveryFormat(rawValue: form["format"] ?? "") ?? .pdf)
        fields.stationID = form.text("station_id") ?? ""
        fields.header = form.text("header") ?? ""
        fields.group = form.text("group") ?? ""
        fields.enabled = form.flag("enabled")
        fields.retentionDays = form.text("retention_days") ?? ""
        fields.zeroRetention = form.flag("zero_retention")
        return fields
    }

    private static func fields(_ device: FaxDevice, _ override: RetentionOverride?) -> Fields {
        Fields(
            extensionNumber: device.extensionNumber, name: device.name, emails: device.emailAddresses.joined(separator: "\n"),
            formats: formats(selected: device.deliveryFormat), stationID: device.stationID, header: device.headerText, group: device.group ?? "",
            enabled: device.isEnabled, retentionDays: override?.days.map(String.init) ?? "", zeroRetention: override?.zeroRetention ?? false)
    }

    static func formats(selected: DeliveryFormat) -> [Option] {
        DeliveryFormat.allCases.map { format in
            let label = switch format {
            case .pdf: "PDF"
            case .tiff: "TIFF"
            case .both: "PDF + TIFF"
            case .inline: "Inline + PDF"
            }
            return Option(value: format.rawValue, label: label, selected: format == selected)
        }
    }

    private static func format(_ form: WebForm) throws -> DeliveryFormat {
        let text = form["format"] ?? ""
        guard let format = DeliveryFormat(rawValue: text) else {
            throw FaxValidationError(field: "format", reason: "expected one of " + DeliveryFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return format
    }

    /// One address per line (commas and spaces separate too); the model checks each.
    private static func addresses(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map(String.init)
    }

    private static func users(of device: FaxDevice, _ users: [User]) -> String {
        let names = users.filter { $0.deviceExtensions.contains(device.extensionNumber) }.map(\.name)
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }

    static func retention(_ override: RetentionOverride?) -> String {
        guard let override, !override.isEmpty else { return "default" }
        var parts: [String] = []
        if let days = override.days { parts.append(Plural.count(days, "day")) }
        if override.zeroRetention { parts.append("images deleted once mailed") }
        return parts.joined(separator: ", ")
    }
}
