import ArgumentParser
import FaxCore
import FaxlineServer
import Foundation
import Store

/// `faxline webhooks …`: URLs told about received faxes and jobs, and their deliveries.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Add, list and remove webhooks; see and replay their deliveries.",
        discussion: """
            A global webhook hears about every fax and job; a user's (--user) about those the \
            user may see. Each POST is signed with the webhook's secret (Faxline-Signature \
            header); deliveries are retried for a day. Events: \
            \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", ")).
            """,
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self, Replay.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a webhook; a secret made for it is printed once, alone on the last line.",
            discussion: "Take it in a script with: faxline webhooks add URL | tail -1")

        @Argument(help: ArgumentHelp("Where to post (http or https).", valueName: "url")) var url: String
        @Option(help: ArgumentHelp("The user it is for (default: global, hears everything).", valueName: "name")) var user: String?
        @Option(help: ArgumentHelp("Only these events, comma-separated (default: all).", valueName: "events")) var events = ""
        @Flag(name: .customLong("secret-stdin"), help: "Read the signing secret from one line of standard input instead of making one.")
        var secretFromStandardInput = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            _ = try reportingInvalidValues { try WebhookEvent.parseList(events) }
            _ = try reportingInvalidValues { try WebhookURL.validate(url) }
        }

        func run() async throws {
            let database = try data.openDatabase()
            let configuration = try CleanupCommand.loadConfiguration(data)
            var owner: User?
            if let user {
                guard let found = try await database.user(name: User.loginName(user)) else { throw CommandFailure("no user \(user)") }
                owner = found
            }
            var secret: Secret?
            if secretFromStandardInput {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw CommandFailure("no secret on standard input (--secret-stdin reads one line)")
                }
                secret = Secret(line)
            }
            let webhook = try await reportingInvalidValues(showingUsage: false) {
                try await WebhookCommands(store: database, destinations: configuration.webhooks.destinations).add(
                    url: url, events: try WebhookEvent.parseList(events), secret: secret, owner: owner, actor: CleanupCommand.actor)
            }
            print("Added webhook \(webhook.id) for \(owner.map { "user \($0.name)" } ?? "everything"): \(webhook.url), "
                + "events \(List.eventsText(webhook)).")
            if secret == nil {
                print("Its signing secret is shown only now; store it safely:")
                print(webhook.secret.revealed)
            } else {
                print("Signing secret: \(webhook.secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List webhooks (secrets masked), oldest first.")

        @Option(help: ArgumentHelp("Only this user's webhooks.", valueName: "name")) var user: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let database = try data.openDatabase()
            var userID: Int64?
            if let user {
                guard let found = try await database.user(name: User.loginName(user)) else { throw CommandFailure("no user \(user)") }
                userID = found.id
            }
            let webhooks = try await database.webhooks(userID: userID)
            print(webhooks.isEmpty ? "No webhooks. Add one with: faxline webhooks add URL" : Self.table(webhooks))
        }

        static func table(_ webhooks: [Webhook]) -> String {
            TextTable.render(
                header: ["ID", "OWNER", "EVENTS", "SECRET", "CREATED", "URL"],
                rows: webhooks.map { webhook in
                    [
                        String(webhook.id.prefix(8)), webhook.userName ?? "(global)", eventsText(webhook), "\(webhook.secret)",
                        TimeSpec.clock(webhook.createdAt), webhook.url,
                    ]
                })
        }

        static func eventsText(_ webhook: Webhook) -> String {
            webhook.events.isEmpty ? "all" : webhook.events.sorted().map(\.rawValue).joined(separator: ",")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a webhook and its deliveries.")

        @Argument(help: ArgumentHelp("The webhook's id, or enough of its start.", valueName: "id")) var id: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let commands = WebhookCommands(store: try data.openDatabase(), destinations: .publicOnly)
            let webhook = try await lookingUp { try await commands.findWebhook(id) }
            try await commands.remove(webhook, actor: CleanupCommand.actor)
            print("Removed webhook \(webhook.id) (\(webhook.url)).")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Webhook and job callback deliveries, newest first.")

        @Option(help: ArgumentHelp("Only this webhook's (its id or enough of its start).", valueName: "id")) var webhook: String?
        @Option(help: "Only deliveries in this state: pending, sending, delivered or failed.") var state: WebhookDeliveryState?
        @Option(help: "At most this many.") var limit = 50
        @OptionGroup var data: DataOptions

        func run() async throws {
            let commands = WebhookCommands(store: try data.openDatabase(), destinations: .publicOnly)
            var webhookID: String?
            if let webhook { webhookID = try await lookingUp { try await commands.findWebhook(webhook) }.id }
            let deliveries = try await commands.store.webhookDeliveries(
                WebhookDeliveryQuery(webhookID: webhookID, state: state, limit: min(max(limit, 1), 1000)))
            print(deliveries.isEmpty ? "No webhook deliveries." : Self.table(deliveries))
        }

        static func table(_ deliveries: [WebhookDelivery]) -> String {
            TextTable.render(
                header: ["ID", "EVENT", "ABOUT", "STATE", "TRIES", "LAST", "QUEUED", "NEXT", "URL"],
                rows: deliveries.map { delivery in
                    [
                        String(delivery.id.prefix(8)), delivery.event.rawValue,
                        delivery.faxID.map { "fax \($0.prefix(8))" } ?? delivery.jobID.map { "job \($0)" } ?? "-",
                        delivery.state.rawValue, String(delivery.attempts),
                        delivery.lastStatus.map { "HTTP \($0)" } ?? delivery.lastError.map { String($0.prefix(40)) } ?? "-",
                        TimeSpec.clock(delivery.createdAt), delivery.nextAttemptAt.map(TimeSpec.clock) ?? "-",
                        delivery.webhookID == nil ? "\(delivery.url) (callback)" : delivery.url,
                    ]
                })
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post a delivery again (same id and body), due now, with a new day of retries.")

        @Argument(help: ArgumentHelp("The delivery's id, or enough of its start.", valueName: "id")) var id: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let commands = WebhookCommands(store: try data.openDatabase(), destinations: .publicOnly)
            let delivery = try await lookingUp { try await commands.findDelivery(id) }
            let replayed = try await commands.replay(delivery, actor: CleanupCommand.actor)
            let server = (try? await ControlClient(dataDirectory: data.directory).send(.wake)) != nil
            print("Delivery \(replayed.id) (\(replayed.event.rawValue) to \(replayed.url)) is due again"
                + (server ? "." : "; it is posted when faxline serve runs."))
        }
    }
}

/// A lookup by id prefix, its errors in plain words.
func lookingUp<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as FaxValidationError {
        throw ValidationError(error.description)
    } catch let error as IDLookupError {
        throw CommandFailure(error.description)
    }
}

extension WebhookDeliveryState: ExpressibleByArgument {}
