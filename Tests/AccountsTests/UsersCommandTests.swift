import Accounts
import ArgumentParser
import FaxCore
import Foundation
import Store
import Testing

@testable import faxline

/// `faxline users` and `faxline tokens` against a temporary data folder: in this process, and
/// as the real program where standard input and output matter.
@Suite struct UsersCommandTests {
    let folder: AccountsTestFolder

    init() async throws {
        folder = try AccountsTestFolder()
        let database = try folder.openDatabase()
        for number in ["200", "201", "300"] { _ = try await database.addDevice(AccountSample.device(number)) }
    }

    func run(_ arguments: [String]) async throws {
        var command = try Faxline.parseAsRoot(arguments + ["--data", folder.path])
        guard var asynchronous = command as? any AsyncParsableCommand else {
            try command.run()
            return
        }
        try await asynchronous.run()
    }

    var database: FaxDatabase { get throws { try folder.openDatabase() } }

    func user(_ name: String) async throws -> User? { try await database.user(name: name) }

    @Test func addListShowChangeDisableEnableRemove() async throws {
        try await run(["users", "add", "alice", "--email", "alice@example.com", "--display-name", "Alice Example",
                       "--device", "201", "--device", "200"])
        try await run(["users", "add", "root", "--email", "root@example.com", "--admin", "--disabled"])
        var alice = try #require(try await user("alice"))
        #expect(alice.displayName == "Alice Example" && alice.deviceExtensions == ["200", "201"])
        #expect(!alice.isAdmin && alice.isEnabled && !alice.hasPassword)
        let root = try #require(try await user("root"))
        #expect(root.isAdmin && !root.isEnabled)
        try await run(["users", "list"])
        try await run(["users", "show", "alice"])

        try await run(["users", "change", "alice", "--email", "a@example.org", "--add-device", "300", "--remove-device", "201", "--admin"])
        alice = try #require(try await user("alice"))
        #expect(alice.email == "a@example.org" && alice.deviceExtensions == ["200", "300"] && alice.isAdmin)
        try await run(["users", "change", "alice", "--no-admin", "--display-name", ""])
        alice = try #require(try await user("alice"))
        #expect(!alice.isAdmin && alice.displayName.isEmpty)

        try await run(["users", "disable", "alice"])
        #expect(try await user("alice")?.isEnabled == false)
        try await run(["users", "enable", "alice"])
        #expect(try await user("alice")?.isEnabled == true)
        try await run(["users", "remove", "alice"])
        #expect(try await user("alice") == nil)
        #expect(try await database.device(extension: "200") != nil)

        let audit = try await database.auditEntries(limit: 20)
        #expect(audit.map(\.kind) == [.userRemoved, .userChanged, .userChanged, .userChanged, .userChanged, .userAdded, .userAdded])
        #expect(audit.allSatisfy { $0.actor.hasPrefix("cli:") })
        #expect(audit.contains { $0.summary == "changed user alice: email a@example.org, devices +300 -201, made administrator" })
    }

    @Test func badValuesGetClearErrors() async throws {
        try await run(["users", "add", "alice", "--email", "alice@example.com"])
        await #expect(throws: RepositoryError.conflict("a user named alice already exists")) {
            try await run(["users", "add", "alice", "--email", "other@example.com"])
        }
        await #expect(throws: RepositoryError.notFound("fax device 999")) {
            try await run(["users", "add", "bob", "--email", "bob@example.com", "--device", "999"])
        }
        await #expect(throws: ValidationError.self) { try await run(["users", "add", "Bob", "--email", "bob@example.com"]) }
        await #expect(throws: ValidationError.self) { try await run(["users", "add", "bob", "--email", "bob at example"]) }
        await #expect(throws: (any Error).self) { try await run(["users", "add", "bob"]) }
        await #expect(throws: (any Error).self) { try await run(["users", "change", "alice"]) }
        await #expect(throws: ValidationError.self) { try await run(["users", "change", "alice", "--remove-device", "200"]) }
        await #expect(throws: RepositoryError.notFound("fax device 999")) {
            try await run(["users", "change", "alice", "--add-device", "999"])
        }
        await #expect(throws: RepositoryError.notFound("user nobody")) { try await run(["users", "change", "nobody", "--admin"]) }
        await #expect(throws: RepositoryError.notFound("user nobody")) { try await run(["users", "remove", "nobody"]) }
        await #expect(throws: RepositoryError.notFound("user nobody")) { try await run(["users", "show", "nobody"]) }
        await #expect(throws: RepositoryError.notFound("user nobody")) { try await run(["users", "password", "nobody", "--remove"]) }
        await #expect(throws: (any Error).self) { try await run(["users", "unlock"]) }
        await #expect(throws: (any Error).self) { try await run(["users", "unlock", "alice", "--address", "::1"]) }
        await #expect(throws: (any Error).self) { try await run(["tokens", "create", "--user", "alice", "--expires", "5y"]) }
        await #expect(throws: (any Error).self) { try await run(["tokens", "create", "--user", "alice", "--expires", "99999999999999999d"]) }
        await #expect(throws: (any Error).self) { try await run(["tokens", "create", "--user", "alice", "--scope", "write"]) }
        await #expect(throws: RepositoryError.notFound("user nobody")) { try await run(["tokens", "create", "--user", "nobody"]) }
        await #expect(throws: RepositoryError.notFound("API token 42")) { try await run(["tokens", "revoke", "42"]) }
        #expect(try await database.users().map(\.name) == ["alice"])
    }

    @Test func tokensCreateListRevokeAndUnlock() async throws {
        try await run(["users", "add", "alice", "--email", "alice@example.com"])
        try await run(["tokens", "create", "--user", "alice", "--scope", "read", "--expires", "2w", "--name", "scanner"])
        try await run(["tokens", "create", "--user", "alice", "--expires", "never"])
        let tokens = try await database.tokens(userID: nil)
        #expect(tokens.map(\.scope) == [.send, .read])
        #expect(tokens.map(\.label) == ["", "scanner"])
        #expect(tokens[0].expiresAt == nil)
        let twoWeeks = try #require(tokens[1].expiresAt?.timeIntervalSince(tokens[1].createdAt))
        #expect(abs(twoWeeks - 14 * 86_400) < 1)
        try await run(["tokens", "list", "--user", "alice"])
        try await run(["tokens", "revoke", String(try #require(tokens[1].id))])
        #expect(try await database.token(id: try #require(tokens[1].id))?.revokedAt != nil)

        let authenticator = Authenticator(store: try database, hasher: AccountSample.hasher)
        for _ in 0..<5 { _ = try? await authenticator.authenticate(name: "alice", password: "wrong password", from: "192.0.2.1", at: Date()) }
        #expect(try await database.loginFailures([.user("alice")]).first?.lockedUntil != nil)
        try await run(["users", "unlock", "alice"])
        try await run(["users", "unlock", "--address", "192.0.2.1"])
        #expect(try await database.loginFailures([.user("alice"), .address("192.0.2.1")]).isEmpty)
    }

    @Test func lifetimes() throws {
        #expect(try TokenLifetime.seconds("12h") == 12 * 3600)
        #expect(try TokenLifetime.seconds("90d") == 90 * 86_400)
        #expect(try TokenLifetime.seconds("2w") == 14 * 86_400)
        #expect(try TokenLifetime.seconds("3650d") == 3650 * 86_400)
        #expect(try TokenLifetime.seconds("never") == nil)
        for bad in ["", "d", "0d", "-1d", "3651d", "1.5d", "90", "90m", "١٢d"] {
            #expect(throws: ValidationError.self, "\(bad)") { try TokenLifetime.seconds(bad) }
        }
    }

    @Test func listsShowWhatMatters() throws {
        let start = AccountSample.start
        var alice = try AccountSample.user("alice", devices: ["200", "201"])
        alice.hasPassword = true
        let lines = UsersCommand.List.table([alice, try AccountSample.user("bob", admin: true, enabled: false)]).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("NAME "))
        #expect(lines[1].contains("alice@example.com") && lines[1].contains(" set ") && lines[1].hasSuffix("200, 201"))
        #expect(lines[2].contains(" yes ") && lines[2].contains(" no ") && lines[2].contains(" none "))
        #expect(UsersCommand.List.table([]).contains("No users"))
        let token = try APIToken(id: 3, userID: 1, userName: "alice", scope: .read, createdAt: start, expiresAt: start.addingTimeInterval(60))
        let table = TokensCommand.List.table([token], now: start.addingTimeInterval(61))
        #expect(table.split(separator: "\n").last?.hasPrefix("3   alice  read   expired") == true)
    }

    // MARK: - The real program

    /// The `faxline` program built next to the test bundle.
    static var program: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("faxline")
    }

    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    func runProgram(_ arguments: [String], input: String = "") throws -> Output {
        let process = Process()
        process.executableURL = Self.program
        process.arguments = arguments + ["--data", folder.path]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                      standardError: String(decoding: errors, as: UTF8.self))
    }

    @Test func theTokenIsAloneOnTheLastLineAndOpensTheAPI() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.program.path), "faxline is built next to the tests")
        #expect(try runProgram(["users", "add", "alice", "--email", "alice@example.com", "--device", "200"]).status == 0)
        let created = try runProgram(["tokens", "create", "--user", "alice", "--scope", "send", "--name", "ERP"])
        #expect(created.status == 0, "\(created.standardError)")
        let lines = created.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the output ends with a newline")
        let token = String(try #require(lines.dropLast().last))
        #expect(token.hasPrefix("fxl_") && !token.contains(" "))
        let principal = try #require(try await Authenticator(store: try database, hasher: AccountSample.hasher).verifyToken(token, at: Date()))
        #expect(principal.user.name == "alice" && principal.credential == .token(id: try #require(APITokenText(parsing: token)?.id), scope: .send))

        let listed = try runProgram(["tokens", "list"])
        #expect(listed.status == 0 && listed.standardOutput.contains("ERP") && !listed.standardOutput.contains(token))
    }

    @Test func passwordsComeFromStandardInputAndWeakOnesAreRefused() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.program.path), "faxline is built next to the tests")
        let added = try runProgram(["users", "add", "alice", "--email", "alice@example.com", "--password-stdin"],
                                   input: AccountSample.password + "\n")
        #expect(added.status == 0, "\(added.standardError)")
        let authenticator = Authenticator(store: try database)
        #expect(try await authenticator.authenticate(name: "alice", password: AccountSample.password, from: nil, at: Date()).user.name == "alice")

        let weak = try runProgram(["users", "password", "alice", "--password-stdin"], input: "short\n")
        #expect(weak.status != 0)
        #expect(weak.standardError.contains("invalid password: must be at least 10 characters (it has 5)"))
        #expect(!weak.standardError.contains("Usage"))

        let changed = try runProgram(["users", "password", "alice", "--password-stdin"], input: "another good password\r\n")
        #expect(changed.status == 0, "\(changed.standardError)")
        #expect(try await authenticator.authenticate(name: "alice", password: "another good password", from: nil, at: Date()).user.name == "alice")

        let noTerminal = try runProgram(["users", "password", "alice"])
        #expect(noTerminal.status != 0 && noTerminal.standardError.contains("--password-stdin"))
        let empty = try runProgram(["users", "password", "alice", "--password-stdin"])
        #expect(empty.status != 0 && empty.standardError.contains("no password on standard input"))

        #expect(try runProgram(["users", "password", "alice", "--remove"]).status == 0)
        #expect(try await database.user(name: "alice")?.hasPassword == false)
        let kinds = try await database.auditEntries(limit: 10).map(\.kind)
        #expect(kinds.filter { $0 == .passwordChanged }.count == 2)
    }
}
