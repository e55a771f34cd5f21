import Accounts
import ArgumentParser
import FaxCore
import Foundation
import Store

/// `faxline tokens …`: API tokens for programs that use the REST API.
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API tokens.",
        discussion: """
            A token acts for its user, limited by its scope: read (read only), send (also send, \
            kill and retry), admin (everything the user may do). Tokens are stored only as hashes: \
            the token is shown once, when it is created.
            """,
        subcommands: [Create.self, List.self, Revoke.self],
        defaultSubcommand: List.self)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once, alone on the last line.",
            discussion: "Take it in a script with: faxline tokens create --user NAME | tail -1")

        @Option(help: ArgumentHelp("The user the token acts for.", valueName: "name")) var user: String
        @Option(help: ArgumentHelp("Lifetime: 12h, 90d, 2w … up to 3650d, or never.", valueName: "time")) var expires = "90d"
        @Option(help: "read, send or admin.") var scope: TokenScope = .send
        @Option(help: ArgumentHelp("What the token is for (shown in lists).", valueName: "label")) var name = ""
        @OptionGroup var data: DataOptions

        func validate() throws {
            _ = try TokenLifetime.seconds(expires)
        }

        func run() async throws {
            let now = Date()
            let expiresAt = try TokenLifetime.seconds(expires).map { now.addingTimeInterval($0) }
            let issued = try await reportingInvalidValues(showingUsage: true) {
                try await AccountAdministration(store: try data.openDatabase()).createToken(
                    userName: user, scope: scope, label: name, expiresAt: expiresAt, actor: CleanupCommand.actor, at: now)
            }
            print("Created API token \(issued.token.id ?? 0) for \(issued.token.userName): scope \(scope.rawValue), "
                + (expiresAt.map { "expires \(TimeSpec.clock($0))" } ?? "does not expire") + ".")
            print("It is shown only now; store it safely:")
            print(issued.text)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves), newest first.")

        @Option(help: ArgumentHelp("Only this user's tokens.", valueName: "name")) var user: String?
        @OptionGroup var data: DataOptions

        func run() async throws {
            let tokens = try await AccountAdministration(store: try data.openDatabase()).tokens(userName: user)
            print(tokens.isEmpty ? "No API tokens. Make one with: faxline tokens create --user NAME" : Self.table(tokens, now: Date()))
        }

        static func table(_ tokens: [APIToken], now: Date) -> String {
            TextTable.render(
                header: ["ID", "USER", "SCOPE", "STATE", "CREATED", "EXPIRES", "LAST USED", "LABEL"],
                rows: tokens.map { token in
                    [
                        String(token.id ?? 0), token.userName, token.scope.rawValue, token.state(at: now), TimeSpec.clock(token.createdAt),
                        token.expiresAt.map(TimeSpec.clock) ?? "never", token.lastUsedAt.map(TimeSpec.clock) ?? "never",
                        token.label.isEmpty ? "-" : token.label,
                    ]
                })
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token: it is refused from now on (and stays listed).")

        @Argument(help: ArgumentHelp("Token id (the number in tokens list).", valueName: "id")) var id: Int64
        @OptionGroup var data: DataOptions

        func run() async throws {
            let token = try await AccountAdministration(store: try data.openDatabase()).revokeToken(id: id, actor: CleanupCommand.actor, at: Date())
            print("API token \(id) of \(token.userName) is revoked.")
        }
    }
}

/// Token lifetimes as the CLI takes them.
enum TokenLifetime {
    static let maximumDays = APIToken.maximumLifetimeDays

    /// Seconds for `12h`, `90d`, `2w`; `nil` for `never`.
    static func seconds(_ text: String) throws -> TimeInterval? {
        if text == "never" { return nil }
        let units: [Character: Int] = ["h": 3600, "d": 86_400, "w": 7 * 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), text.dropLast().allSatisfy(\.isASCII),
              count >= 1, count <= maximumDays * 86_400 / unit
        else {
            throw ValidationError("--expires \(text) is not a lifetime like 12h, 90d or 2w (at most \(maximumDays)d), or never")
        }
        return TimeInterval(count * unit)
    }
}

extension TokenScope: ExpressibleByArgument {}
