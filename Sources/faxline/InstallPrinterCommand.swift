import ArgumentParser
import Foundation

/// `faxline install-printer`: print to fax. Installs the CUPS backend (`faxline-cups`) as
/// `<backend-dir>/faxline` and adds a queue for it with `lpadmin`.
///
/// The backend is installed mode 0700, owned by root: CUPS runs such a backend as root (any
/// other mode: as `lp`, who cannot open Faxline's database). It then becomes the data
/// folder's owner before it reads anything of Faxline's — see `DataFolderOwner`.
struct InstallPrinterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-printer",
        abstract: "Add a fax printer to CUPS (print to fax; run as root).",
        discussion: """
            Copies the CUPS backend faxline-cups to --backend-dir/faxline (mode 0700: CUPS runs \
            it as root, and it switches to the data folder's owner), then adds the queue with \
            lpadmin: a PDF printer whose device URI (faxline:/, or faxline:/DATA-FOLDER) names the \
            data folder. Documents printed to it carry @@+FAX:NUMBER@@ control fields. \
            --server (or CUPS_SERVER) names another CUPS; --dry-run prints every step.
            """)

    @Option(help: ArgumentHelp("The queue's name.", valueName: "name")) var name = "Fax"
    @Flag(help: "Print what would be done; do nothing.") var dryRun = false
    @Option(help: ArgumentHelp("The backend program (default: faxline-cups next to this program).", valueName: "file"))
    var backend: String?
    @Option(name: .customLong("backend-dir"), help: ArgumentHelp("CUPS's backend folder.", valueName: "dir"))
    var backendDirectory = "/usr/lib/cups/backend"
    @Option(help: ArgumentHelp("The CUPS server lpadmin talks to (host:port or a socket; default: CUPS_SERVER, else the local one).",
                               valueName: "server"))
    var server: String?
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard name.range(of: "^[A-Za-z0-9_.-]{1,127}$", options: .regularExpression) != nil else {
            throw ValidationError("--name \(name) is not a printer name (letters, digits, '_', '.', '-', up to 127)")
        }
        guard data.directory.hasPrefix("/") else { throw ValidationError("the data folder must be an absolute path (got \(data.directory))") }
        guard backendDirectory.hasPrefix("/") else { throw ValidationError("--backend-dir must be an absolute path (got \(backendDirectory))") }
        if let server, server.isEmpty || server.hasPrefix("-") { throw ValidationError("--server \(server) is not a server") }
    }

    func run() async throws {
        let program = backend ?? Self.backendNextToProgram
        let plan = PrinterInstallation(
            name: name, backend: program, backendDirectory: backendDirectory, dataDirectory: data.directory, server: server,
            ppdFile: FileManager.default.temporaryDirectory.appendingPathComponent("faxline-\(UUID().uuidString).ppd").path)
        if dryRun {
            print("faxline install-printer would:")
            for step in plan.steps { print(step.description) }
            return
        }
        guard geteuid() == 0 else {
            throw CommandFailure("install-printer needs root: sudo faxline install-printer (--dry-run shows what it does)")
        }
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw CommandFailure("no CUPS backend at \(program): build it (swift build -c release --product faxline-cups) or give --backend FILE")
        }
        try data.requireData()
        defer { try? FileManager.default.removeItem(atPath: plan.ppdFile) }
        for step in plan.steps {
            print(step.summary)
            try step.perform()
        }
        print("Installed: print to \(name) with @@+FAX:NUMBER@@ in the document (see \"Print to fax\" in the README).")
    }

    /// faxline-cups in the folder of this program.
    static var backendNextToProgram: String {
        URL(fileURLWithPath: InstallServiceCommand.runningProgram).deletingLastPathComponent().appendingPathComponent("faxline-cups").path
    }
}

/// The steps of `install-printer`, worked out before any is taken.
struct PrinterInstallation {
    let name: String
    let backend: String
    let backendDirectory: String
    let dataDirectory: String
    let server: String?
    let ppdFile: String

    var installedBackend: String { backendDirectory + "/faxline" }

    /// `faxline:/` for the default folder, else the folder, percent-encoded.
    var deviceURI: String {
        if dataDirectory == DataOptions.defaultDirectory { return "faxline:/" }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "/-._~"))
        return "faxline:" + (dataDirectory.addingPercentEncoding(withAllowedCharacters: allowed) ?? dataDirectory)
    }

    var steps: [ServiceInstallation.Step] {
        let lpadmin = ["lpadmin"] + (server.map { ["-h", $0] } ?? [])
        return [
            .copy(from: backend, to: installedBackend, mode: 0o700, why: "the CUPS backend (mode 0700: CUPS runs it as root; it becomes the data folder's owner)"),
            .write(FaxPrinterPPD.text, to: ppdFile, why: "the printer description (PDF in, no filter after)"),
            .run(lpadmin + ["-p", name, "-E", "-v", deviceURI, "-P", ppdFile, "-D", "Faxline fax",
                            "-o", "printer-error-policy=abort-job", "-o", "printer-is-shared=false"],
                 why: "add the queue"),
        ]
    }
}

/// The queue's PPD: a PostScript-level printer that takes PDF (CUPS's pdftopdf prepares it)
/// and hands it to the backend as it is — the backend reads its text and renders the fax.
enum FaxPrinterPPD {
    static let text = """
        *PPD-Adobe: "4.3"
        *FormatVersion: "4.3"
        *FileVersion: "1.0"
        *LanguageVersion: English
        *LanguageEncoding: ISOLatin1
        *PCFileName: "FAXLINE.PPD"
        *Manufacturer: "Faxline"
        *Product: "(Faxline)"
        *ModelName: "Faxline fax"
        *ShortNickName: "Faxline fax"
        *NickName: "Faxline fax (print to fax)"
        *PSVersion: "(3010.000) 0"
        *LanguageLevel: "3"
        *ColorDevice: False
        *DefaultColorSpace: Gray
        *FileSystem: False
        *Throughput: "1"
        *LandscapeOrientation: Plus90
        *TTRasterizer: Type42
        *cupsVersion: 2.4
        *cupsFilter2: "application/vnd.cups-pdf application/pdf 0 -"
        *OpenUI *PageSize/Media Size: PickOne
        *OrderDependency: 10 AnySetup *PageSize
        *DefaultPageSize: A4
        *PageSize A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
        *PageSize Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
        *CloseUI: *PageSize
        *OpenUI *PageRegion/Media Size: PickOne
        *OrderDependency: 10 AnySetup *PageRegion
        *DefaultPageRegion: A4
        *PageRegion A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
        *PageRegion Letter/US Letter: "<</PageSize[612 792]/ImagingBBox null>>setpagedevice"
        *CloseUI: *PageRegion
        *DefaultImageableArea: A4
        *ImageableArea A4/A4: "0 0 595 842"
        *ImageableArea Letter/US Letter: "0 0 612 792"
        *DefaultPaperDimension: A4
        *PaperDimension A4/A4: "595 842"
        *PaperDimension Letter/US Letter: "612 792"
        *DefaultFont: Courier
        *Font Courier: Standard "(002.004S)" Standard ROM

        """
}
