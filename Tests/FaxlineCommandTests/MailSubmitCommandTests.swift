import FaxCore
import Foundation
import Mail
import Store
import StoreTestSupport
import Testing

@testable import faxline

/// `faxline mail-submit` run as an MTA runs it: the message on standard input, the answer in
/// the exit status (sysexits) and on standard error.
@Suite struct MailSubmitCommandTests {
    let folder: TemporaryFolder

    init() async throws {
        folder = try TemporaryFolder()
        _ = try await folder.openDatabase().addDevice(Sample.device("201"))
        try Data("[mail-in]\ndomains = fax.example.com\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/faxline.conf"))
    }

    /// As Postfix's pipe hands it over: LF line endings.
    static let letter = """
        From: Device 201 <fax201@example.com>
        To: 5550100@fax.example.com
        Subject: Order

        Please deliver 40 boxes on Monday.

        """

    func submit(sender: String = "fax201@example.com", recipients: [String] = ["5550100@fax.example.com"], message: String = letter)
        throws -> FaxlineProgram.Output
    {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        return try FaxlineProgram.run(["mail-submit", "--sender", sender] + recipients.flatMap { ["--recipient", $0] } + ["--data", folder.path],
                               input: message)
    }

    @Test("a device's mail is queued: exit 0, the job in the queue, nothing left in the spool's mail folder")
    func queued() async throws {
        let result = try submit(recipients: ["5550100@fax.example.com", "Bob@555-0101.fax"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("job 1 to 5550100: queued (1 page)"))
        let jobs = try await folder.openDatabase().jobs(JobQuery())
        #expect(Set(jobs.map(\.number)) == ["5550100", "5550101"] && jobs.allSatisfy { $0.sender.deviceExtension == "201" })
        let incoming = folder.path + "/spool/mail-in"
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming).isEmpty)
    }

    @Test("refusals exit with the sysexits code MTAs understand, and say why", arguments: [
        (["--recipient-is", "someone@gmail.com"], Int32(67), "relaying denied"),
        (["--sender-is", "mallory@example.org"], 77, "not the address of a Faxline user or fax device"),
        (["--recipient-is", "+1 212 555 0100@fax.example.com"], 77, "blocked"),
        (["--message-is", ""], 65, "the message is empty"),
        (["--message-is", "Subject: nothing\n\n-- \nsignature only\n"], 65, "nothing to fax"),
        (["--sender-is", ""], 77, "bounce"),
    ])
    func refused(_ change: [String], _ status: Int32, _ reason: String) throws {
        var sender = "fax201@example.com"
        var recipients = ["5550100@fax.example.com"]
        var message = Self.letter
        switch change[0] {
        case "--recipient-is": recipients = [change[1]]
        case "--sender-is":
            sender = change[1]
            if !sender.isEmpty { message = message.replacingOccurrences(of: "fax201@example.com", with: sender) }
        default: message = change[1]
        }
        let result = try submit(sender: sender, recipients: recipients, message: message)
        #expect(result.status == status, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("faxline mail-submit: ") && result.standardError.contains(reason), "\(result.standardError)")
    }

    @Test("a broken configuration is EX_CONFIG (78); a message over the size limit EX_DATAERR (65)")
    func configurationAndSize() throws {
        try Data("[mail-in]\nmax_message_mb = 1\ndomains = fax.example.com\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/faxline.conf"))
        let big = Self.letter + String(repeating: String(repeating: "x", count: 99) + "\n", count: 11_000)
        let tooBig = try FaxlineProgram.run(
            ["mail-submit", "--sender", "fax201@example.com", "--recipient", "5550100@fax.example.com", "--data", folder.path], input: big)
        #expect(tooBig.status == 65 && tooBig.standardError.contains("larger than the limit"), "\(tooBig.standardError)")
        try Data("[mail-in]\nspf = sometimes\n".utf8).write(to: URL(fileURLWithPath: folder.path + "/faxline.conf"))
        let broken = try submit()
        #expect(broken.status == 78 && broken.standardError.contains("[mail-in]: spf"), "\(broken.standardError)")
    }

    @Test("SMTP refusals map to sysexits")
    func statusMapping() {
        #expect(MailSubmitStatus(SMTPServerReply(451, .init(4, 3, 0), "later")) == .temporaryFailure)
        #expect(MailSubmitStatus(SMTPServerReply(550, .init(5, 1, 1), "no such number")) == .noUser)
        #expect(MailSubmitStatus(SMTPServerReply(550, .init(5, 7, 1), "not allowed")) == .noPermission)
        #expect(MailSubmitStatus(SMTPServerReply(554, .init(5, 6, 0), "bad attachment")) == .dataError)
        #expect(MailSubmitStatus(SMTPServerReply(552, .init(5, 3, 4), "too big")) == .dataError)
        #expect(MailSubmitStatus(SMTPServerReply(554, nil, "no")) == .unavailable)
        #expect(MailSubmitStatus.temporaryFailure.rawValue == 75 && MailSubmitStatus.noUser.rawValue == 67)
    }
}
