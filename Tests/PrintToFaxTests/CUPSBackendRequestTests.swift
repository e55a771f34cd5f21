import PrintToFax
import Testing

/// How CUPS calls a backend, read.
@Suite struct CUPSBackendRequestTests {
    @Test func noArgumentsIsDiscovery() throws {
        #expect(try CUPSBackendRequest.parse(arguments: [], environment: [:]) == .discovery)
    }

    @Test func aJobFromStandardInputOrAFile() throws {
        let environment = ["DEVICE_URI": "faxline:/srv/fax%20data", "CONTENT_TYPE": "application/pdf"]
        let fromInput = try CUPSBackendRequest.parse(arguments: ["42", "alice", "Letter\u{1B}[2J", "1", "media=a4"], environment: environment)
        #expect(fromInput == .job(CUPSPrintJob(jobID: "42", user: "alice", title: "Letter[2J", file: nil,
                                               dataDirectory: "/srv/fax data", contentType: "application/pdf")))
        guard case .job(let fromFile) = try CUPSBackendRequest.parse(arguments: ["42", "alice", "t", "1", "", "/var/spool/cups/d00042-001"],
                                                                      environment: [:])
        else { Issue.record("not a job"); return }
        #expect(fromFile.file == "/var/spool/cups/d00042-001")
        #expect(fromFile.dataDirectory == CUPSBackendRequest.defaultDataDirectory)
    }

    @Test("wrong calls", arguments: [
        (["1", "alice"], CUPSRequestError.usage),
        (["1", "alice", "t", "1", "", "f", "extra"], .usage),
        (["1", "al ice", "t", "1", ""], .badUser("al ice")),
        (["1", "", "t", "1", ""], .badUser("")),
    ])
    func wrongCalls(arguments: [String], error: CUPSRequestError) {
        #expect(throws: error) { try CUPSBackendRequest.parse(arguments: arguments, environment: [:]) }
    }

    @Test func deviceURIs() throws {
        #expect(try CUPSBackendRequest.dataDirectory(deviceURI: "faxline:/") == "/var/lib/faxline")
        #expect(try CUPSBackendRequest.dataDirectory(deviceURI: "faxline:") == "/var/lib/faxline")
        #expect(try CUPSBackendRequest.dataDirectory(deviceURI: nil) == "/var/lib/faxline")
        #expect(try CUPSBackendRequest.dataDirectory(deviceURI: "faxline:///srv/fax/") == "/srv/fax")
        #expect(try CUPSBackendRequest.dataDirectory(deviceURI: "faxline://localhost/srv/fax") == "/srv/fax")
        for bad in ["ipp://printer/", "faxline:relative", "faxline:/srv/../etc", "faxline:/a%00b"] {
            #expect(throws: CUPSRequestError.badDeviceURI(bad)) { try CUPSBackendRequest.dataDirectory(deviceURI: bad) }
        }
    }
}
