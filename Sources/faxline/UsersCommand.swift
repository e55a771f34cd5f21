import Accounts
import ArgumentParser
import FaxCore
import Foundation
import Store

/// `faxline users …`: the people who use the web app, the REST API and mail-to-fax.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Add, change, list and remove users (web app, REST API, mail-to-fax).",
        discussion: """
            A user owns fax devices: they see the faxes of those devices and send as them. \
            Administrators see and manage everything. Every change is written to the audit log \
            (faxline cleanup audit).
            """,
        subcommands: [Add.self, List.self, Show.self, Change.self, Enable.self, Disable.self, Remove.self, Password.self,
                      Unlock.self],
        defaultSubcommand: List.self)

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user.",
            discussion: "Without --password-stdin the user has no password and signs in only with API tokens "
                + "(faxline users password NAME sets one).")

        @Argument(help: ArgumentHelp("Login name: lowercase letters, digits, '.', '_', '-' or '@'.", valueName: "name"))
        var name: String
        @Option(help: ArgumentHelp("The user's mail address.", valueName: "address")) var email: String
        @Option(name: .customLong("display-name"), help: "Name shown for the user.") var displayName: String?
        @Flag(help: "Make the user an administrator.") var admin = false
        @Option(name: .customLong("device"), help: ArgumentHelp("Extension of a fax device the user owns; repeat for more.", valueName: "ext"))
        var devices: [String] = []
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one line).") var passwordFromStandardInput = false
        @Flag(help: "Add the user switched off.") var disabled = false
        @OptionGroup var data: DataOptions

        func run() async throws {
            let now = Date()
            let user = try reportingInvalidValues {
                try User(
                    name: name, displayName: displayName ?? "", email: email, isAdmin: admin, isEnabled: !disabled,
                    deviceExtensions: devices, createdAt: now)
            }
            let password = passwordFromStandardInput ? try PasswordInput.read(forUser: name, fromStandardInput: true) : nil
            let stored = try await reportingInvalidValues(showingUsage: false) {
                try await AccountAdministration(store: try data.openDatabase())
                    .addUser(user, password: password, actor: CleanupCommand.actor)
            }
            print("Added \(stored.isAdmin ? "administrator" : "user") \(stored.name)"
                + (stored.deviceExtensions.isEmpty ? "" : ", devices \(stored.deviceExtensions.joined(separator: ", "))") + ".")
            if !stored.hasPassword {
                print("\(stored.name) has no password: set one with faxline users password \(stored.name), "
                    + "or make a token with faxline tokens create --user \(stored.name).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")

        @OptionGroup var data: DataOptions

        func run() async throws {
            print(Self.table(try await data.openDatabase().users()))
        }

        static func table(_ users: [User]) -> String {
            guard !users.isEmpty else { return "No users. Add one with: faxline users add NAME --email ADDRESS [--admin]" }
            return TextTable.render(
                header: ["NAME", "DISPLAY NAME", "EMAIL", "ADMIN", "ENABLED", "PASSWORD", "LAST LOGIN", "DEVICES"],
                rows: users.map { user in
                    [
                        user.name, user.displayName.isEmpty ? "-" : user.displayName, user.email, user.isAdmin ? "yes" : "no",
                        user.isEnabled ? "yes" : "no", user.hasPassword ? "set" : "none", user.lastLoginAt.map(TimeSpec.clock) ?? "never",
                        user.deviceExtensions.isEmpty ? "-" : user.deviceExtensions.joined(separator: ", "),
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a user with their tokens and sign-in lock.")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            let now = Date()
            let database = try data.openDatabase()
            guard let user = try await database.user(name: name) else { throw RepositoryError.notFound("user \(name)") }
            let administration = AccountAdministration(store: database)
            let displayName = user.displayName.isEmpty ? "" : " (\(user.displayName))"
            let role = (user.isAdmin ? ", administrator" : "") + (user.isEnabled ? "" : ", DISABLED")
            let devices = user.deviceExtensions.isEmpty ? "none" : user.deviceExtensions.joined(separator: ", ")
            let lastLogin = user.lastLoginAt.map(TimeSpec.clock) ?? "never"
            var lines: [String] = [
                "user \(user.name)\(displayName)\(role)",
                "email \(user.email)",
                "devices \(devices)",
                "password " + (user.hasPassword ? "set" : "none (signs in only with tokens)"),
                "created \(TimeSpec.clock(user.createdAt)), changed \(TimeSpec.clock(user.updatedAt)), last login \(lastLogin)",
            ]
            if let until = try await administration.loginLock(name: user.name, at: now) {
                lines.append("sign-in LOCKED until \(TimeSpec.clock(until)) (faxline users unlock \(user.name) lifts it)")
            }
            let tokens = try await administration.tokens(userName: user.name)
            lines.append("")
            lines.append(tokens.isEmpty ? "No API tokens." : TokensCommand.List.table(tokens, now: now))
            print(lines.joined(separator: "\n"))
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a user.", discussion: "Only the options given change.")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("New mail address.", valueName: "address")) var email: String?
        @Option(name: .customLong("display-name"), help: "New display name (\"\" removes it).") var displayName: String?
        @Option(name: .customLong("add-device"), help: ArgumentHelp("Give the user this device; repeat for more.", valueName: "ext"))
        var addDevices: [String] = []
        @Option(name: .customLong("remove-device"), help: ArgumentHelp("Take this device away; repeat for more.", valueName: "ext"))
        var removeDevices: [String] = []
        @Flag(inversion: .prefixedNo, help: "Make the user an administrator, or no longer one.") var admin: Bool?
        @OptionGroup var data: DataOptions

        var changes: User.Changes {
            User.Changes(displayName: displayName, email: email, isAdmin: admin, addDevices: addDevices, removeDevices: removeDevices)
        }

        func validate() throws {
            if changes.isEmpty { throw ValidationError("nothing to change: give at least one option") }
        }

        func run() async throws {
            let changed = try await reportingInvalidValues(showingUsage: true) {
                try await AccountAdministration(store: try data.openDatabase())
                    .changeUser(name: name, changes, actor: CleanupCommand.actor, at: Date())
            }
            print("Changed user \(changed.name).")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a user sign in and use their tokens again.")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await UsersCommand.setEnabled(true, name: name, data: data) }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a user: no sign-in, their tokens refused (they are kept).")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @OptionGroup var data: DataOptions

        func run() async throws { try await UsersCommand.setEnabled(false, name: name, data: data) }
    }

    static func setEnabled(_ enabled: Bool, name: String, data: DataOptions) async throws {
        _ = try await AccountAdministration(store: try data.openDatabase())
            .changeUser(name: name, User.Changes(isEnabled: enabled), actor: CleanupCommand.actor, at: Date())
        print("User \(name) is \(enabled ? "enabled" : "disabled").")
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a user and their tokens.", discussion: "Their devices, faxes and jobs stay.")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @OptionGroup var data: DataOptions

        func run() async throws {
            try await AccountAdministration(store: try data.openDatabase()).removeUser(name: name, actor: CleanupCommand.actor, at: Date())
            print("Removed user \(name).")
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password.",
            discussion: "Asks twice at a terminal; with --password-stdin reads one line. At least "
                + "\(PasswordRules.minimumLength) characters, at most \(PasswordRules.maximumBytes) bytes.")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (one line).") var passwordFromStandardInput = false
        @Flag(help: "Remove the password: the user then signs in only with API tokens.") var remove = false
        @OptionGroup var data: DataOptions

        func validate() throws {
            if remove && passwordFromStandardInput { throw ValidationError("--remove and --password-stdin exclude each other") }
        }

        func run() async throws {
            let database = try data.openDatabase()
            guard try await database.user(name: name) != nil else { throw RepositoryError.notFound("user \(name)") }
            let password = remove ? nil : try PasswordInput.read(forUser: name, fromStandardInput: passwordFromStandardInput)
            try await reportingInvalidValues(showingUsage: false) {
                try await AccountAdministration(store: database).setPassword(name: name, to: password, actor: CleanupCommand.actor, at: Date())
            }
            print(remove ? "Removed the password of \(name)." : "Set the password of \(name).")
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift a sign-in lock after too many failed attempts.",
            discussion: "A name or an address is locked for a while after repeated failed sign-ins (see the README).")

        @Argument(help: ArgumentHelp("Login name.", valueName: "name")) var name: String?
        @Option(help: ArgumentHelp("Lift the lock on this network address instead.", valueName: "address")) var address: String?
        @OptionGroup var data: DataOptions

        func validate() throws {
            if (name == nil) == (address == nil) { throw ValidationError("give a user name or --address, one of them") }
        }

        func run() async throws {
            let subject = if let address { LoginSubject.address(address) } else { LoginSubject.user(name ?? "") }
            try await AccountAdministration(store: try data.openDatabase()).unlock(subject, actor: CleanupCommand.actor, at: Date())
            print("Sign-ins for \(subject) are unlocked.")
        }
    }
}

/// `reportingInvalidValues` for async bodies. Without usage for values that are not
/// arguments (a password read from standard input).
func reportingInvalidValues<T>(showingUsage: Bool, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as FaxValidationError {
        if showingUsage { throw ValidationError(error.description) }
        throw CommandFailure(error.description)
    }
}
