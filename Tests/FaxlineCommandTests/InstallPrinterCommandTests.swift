import Foundation
import StoreTestSupport
import Testing

@testable import faxline

/// `faxline install-printer`: the backend installed mode 0700, the queue added with lpadmin,
/// every step shown by --dry-run.
@Suite struct InstallPrinterCommandTests {
    @Test("--dry-run prints every step and changes nothing")
    func dryRun() throws {
        try #require(FaxlineProgram.isBuilt, "faxline is built next to the tests")
        let target = try TemporaryFolder()
        let output = try FaxlineProgram.run([
            "install-printer", "--dry-run", "--name", "Fax2", "--backend-dir", target.path + "/backend", "--server", "127.0.0.1:8631",
            "--data", "/srv/fax data",
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let text = output.standardOutput
        for step in [
            "faxline install-printer would:",
            "the CUPS backend (mode 0700: CUPS runs it as root; it becomes the data folder's owner): copy ",
            "faxline-cups to \(target.path)/backend/faxline",
            "the printer description (PDF in, no filter after): write ",
            "      *cupsFilter2: \"application/vnd.cups-pdf application/pdf 0 -\"",
            "add the queue: lpadmin -h 127.0.0.1:8631 -p Fax2 -E -v faxline:/srv/fax%20data -P ",
            "-o printer-error-policy=abort-job -o printer-is-shared=false",
        ] {
            #expect(text.contains(step), "lacks \(step)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target.path).isEmpty, "a dry run writes nothing")
    }

    @Test func theDefaultDataFolderIsFaxlineSlash() {
        let plan = PrinterInstallation(
            name: "Fax", backend: "/usr/local/bin/faxline-cups", backendDirectory: "/usr/lib/cups/backend",
            dataDirectory: "/var/lib/faxline", server: nil, ppdFile: "/tmp/x.ppd")
        #expect(plan.deviceURI == "faxline:/")
        #expect(plan.steps.map(\.summary).last
            == "add the queue: lpadmin -p Fax -E -v faxline:/ -P /tmp/x.ppd -D Faxline fax -o printer-error-policy=abort-job -o printer-is-shared=false")
    }

    @Test("a printer name that is not one is refused", arguments: ["", "Fax Machine", "fax/2", "-h"])
    func badNames(name: String) throws {
        #expect(throws: (any Error).self) { try Faxline.parseAsRoot(["install-printer", "--name", name, "--dry-run"]) }
    }
}
