import Accounts
import Documents
import FaxCore
import FaxTestSupport
import FaxlineServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Store
import Testing
import Web

/// A real `FaxlineServer` (not running: nothing listens) on a temporary data folder, whose
/// HTTP application is driven in process. Users: `admin` (administrator), `alice` (owns device
/// 201), `bob` (owns device 202); `tokens[name]` is an admin-scope token of each.
struct APIFixture {
    let folder: URL
    let server: FaxlineServer
    let database: FaxDatabase
    let tokens: [String: String]

    var spoolRoot: String { server.spool.root }
    var web: WebServer { server.web! }

    static let alice = try! FaxDevice(extensionNumber: "201", name: "Sales", emailAddresses: ["sales@example.com"], stationID: "+1 555 0201")
    static let bob = try! FaxDevice(extensionNumber: "202", name: "Legal", emailAddresses: ["legal@example.com"])

    static func make(configure: (inout FaxlineConfiguration) -> Void = { _ in }) async throws -> APIFixture {
        let folder = try TestDocuments.makeTemporaryDirectory("api")
        var configuration = FaxlineConfiguration(dataDirectory: folder.path)
        configuration.agi = .init(host: "127.0.0.1", port: 0)
        configuration.audioSocket = .init(host: "127.0.0.1", port: 0)
        configuration.web.port = 0
        configuration.mailIn.port = 0
        configuration.minimumFreeBytes = 1024 * 1024
        configure(&configuration)
        var logger = Logger(label: "faxline.test")
        logger.logLevel = ProcessInfo.processInfo.environment["FAXLINE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try FaxDatabase(path: configuration.databasePath)
        let server = try FaxlineServer(configuration: configuration, logger: logger, store: database)
        for device in [alice, bob] { _ = try await database.addDevice(device) }
        let accounts = AccountAdministration(store: database)
        var tokens: [String: String] = [:]
        for (name, admin, devices) in [("admin", true, [String]()), ("alice", false, ["201"]), ("bob", false, ["202"])] {
            _ = try await accounts.addUser(
                User(name: name, email: "\(name)@example.com", isAdmin: admin, deviceExtensions: devices, createdAt: Date()),
                password: nil, actor: "test")
            tokens[name] = try await accounts.createToken(userName: name, scope: .admin, expiresAt: nil, actor: "test", at: Date()).text
        }
        return APIFixture(folder: folder, server: server, database: database, tokens: tokens)
    }

    /// A token of `user` with `scope`.
    func token(_ user: String, scope: TokenScope) async throws -> String {
        try await AccountAdministration(store: database).createToken(userName: user, scope: scope, expiresAt: nil, actor: "test", at: Date()).text
    }

    /// Runs `body` against the application in process.
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await web.makeApplication().test(.router, body)
    }

    /// A received fax of the 3-page letter on `device`, filed like the server files one.
    @discardableResult
    func receivedFax(on device: String, caller: String = "5550100", at date: Date = Date(), withFiles: Bool = true) async throws -> FaxRecord {
        var fax = FaxRecord(
            createdAt: date, finishedAt: date.addingTimeInterval(60), deviceExtensions: [device], callerNumber: caller, did: device,
            status: .received, session: FaxSessionSummary(pages: 3, bitRate: 14400, ecm: true, remoteStationID: "+1 555 0100"))
        fax.log("phase-b", "negotiated 14400 bit/s")
        if withFiles {
            let spool = server.spool
            let base = spool.incomingBase(faxID: fax.id, at: date)
            let tiff = spool.absolute(base + ".tif")
            try FileManager.default.createDirectory(atPath: (tiff as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: try TestDocuments.letter().path, toPath: tiff)
            _ = try FaxPDFWriter.write(tiff: tiff, to: spool.absolute(base + ".pdf"))
            fax.files = FaxSpoolFiles(tiff: try SpoolPath(base + ".tif"), pdf: try SpoolPath(base + ".pdf"))
        }
        try await database.insertFax(fax)
        return fax
    }
}

extension TestClientProtocol {
    /// A request with `token` as the bearer.
    func request(
        _ uri: String, _ method: HTTPRequest.Method = .get, token: String?, headers: HTTPFields = [:], json: String? = nil,
        body: ByteBuffer? = nil
    ) async throws -> TestResponse {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        var payload = body
        if let json {
            fields[.contentType] = "application/json"
            payload = ByteBuffer(string: json)
        }
        return try await executeRequest(uri: uri, method: method, headers: fields, body: payload)
    }
}

/// A JSON object from a response body carried out of a test closure.
func jsonObject(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

extension TestResponse {
    /// The body as JSON.
    func json() throws -> [String: Any] {
        let data = Data(buffer: body)
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any], "not a JSON object: \(String(decoding: data, as: UTF8.self))")
    }

    func jsonArray() throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: body))
        return try #require(object as? [[String: Any]])
    }

    var text: String { String(buffer: body) }

    /// Checks this is RFC 9457 problem details with `status`, and returns them.
    @discardableResult
    func expectProblem(_ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        #expect(self.status == status, "\(text)", sourceLocation: sourceLocation)
        #expect(headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try json()
        #expect(problem["status"] as? Int == status.code, sourceLocation: sourceLocation)
        #expect((problem["title"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        #expect((problem["type"] as? String)?.hasPrefix("https://") == true, sourceLocation: sourceLocation)
        #expect((problem["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
        return problem
    }
}

/// A multipart/form-data body, built before a request is made.
final class MultipartForm: @unchecked Sendable {
    let boundary = "faxline-test-\(UUID().uuidString)"
    private var data = Data()

    func add(_ name: String, _ value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    func addFile(_ name: String, filename: String, contentType: String, _ contents: Data) {
        data.append(Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8))
        data.append(contents)
        data.append(Data("\r\n".utf8))
    }

    func addJSON(_ name: String, _ json: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\nContent-Type: application/json\r\n\r\n\(json)\r\n".utf8))
    }

    var body: ByteBuffer {
        var whole = data
        whole.append(Data("--\(boundary)--\r\n".utf8))
        return ByteBuffer(bytes: whole)
    }

    var headers: HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return fields
    }
}
