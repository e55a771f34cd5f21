import FaxCore
import Foundation
import Mail
import ServerSupport
import Web

/// Everything `faxline serve` can be told. Defaults make a working server on loopback with
/// everything under one data folder; `<data>/faxline.conf` changes what it names.
///
/// Secrets (the SMTP password, the AMI secret, the AGI key) are ``Secret``s: logging or printing
/// a configuration shows them as `••••`.
public struct FaxlineConfiguration: Sendable, Equatable {
    public struct Listener: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { "\(host):\(port)" }
    }

    /// How an answered call's audio reaches us.
    public enum MediaConnection: String, Sendable, Equatable, CaseIterable {
        /// `EXEC AudioSocket <uuid>,<address>`: audio only (G.711 from the far end).
        case audioSocket = "audiosocket"
        /// `SET VARIABLE FAXOPT(gateway) yes` then `EXEC Dial AudioSocket/<address>/<uuid>/c(slin)`:
        /// Asterisk's T.38 gateway turns a T.38 far end into audio for us.
        case dialGateway = "dial-gateway"
    }

    public var dataDirectory: String
    public var lines = 4
    public var reserveInbound = 0
    /// The CSID we answer with when a device has none.
    public var stationID = ""
    public var ecm = true
    public var mediaConnection: MediaConnection = .audioSocket
    public var agi = Listener(host: "127.0.0.1", port: 4573)
    public var audioSocket = Listener(host: "127.0.0.1", port: 9092)
    /// Where Asterisk connects for audio; the AudioSocket listener unless set.
    public var audioSocketAddress: Listener?
    /// No frame from Asterisk for this long ends a call: a backstop only, well above T.30's T1
    /// (35 s) — a silent far end is legitimate, and T.30's own timers end such calls.
    public var mediaIdleTimeout: Duration = .seconds(60)
    /// How long Asterisk may take to connect the audio after we asked for it.
    public var mediaConnectTimeout: Duration = .seconds(15)
    /// Who may connect to the FastAGI and AudioSocket listeners (`[agi] allow`,
    /// `[audiosocket] allow`): this machine unless configured.
    public var agiAllowList = PeerAllowList.loopback
    public var audioSocketAllowList = PeerAllowList.loopback
    /// The key every AGI URL must carry (`agi://…/inbound?key=…`), when set (`[agi] secret`).
    public var agiSecret: Secret?
    /// Connections each listener takes at once (`max_connections`); `nil`: 4 × lines + 16.
    public var agiConnectionLimit: Int?
    public var audioSocketConnectionLimit: Int?
    /// Below this much free space in the spool, calls are refused.
    public var minimumFreeBytes: Int64 = 500 * 1024 * 1024
    /// How long faxes, records and temporary files are kept (`[retention]`).
    public var retention = RetentionPolicy.standard
    /// When the server cleans up each day; `nil` (`cleanup_time = off`) leaves it to cron.
    public var cleanupSchedule: RetentionSchedule? = .standard
    public var smtp = SMTPConfiguration(fromAddress: "faxline@localhost")
    public var deliveryRetry = DeliveryRetryPolicy.standard
    /// How often the mail queue looks for due deliveries.
    public var deliveryPollInterval: Duration = .seconds(5)
    /// The Asterisk manager, for outbound faxes (`[ami]`).
    public var ami = AMISettings()
    /// Dialing and retries of outbound faxes (`[outbound]`).
    public var outbound = OutboundSettings()
    /// The HTTP server: REST API, metrics, health (`[web]`).
    public var web = WebConfiguration()
    /// The mail-to-fax gateway (`[mail-in]`).
    public var mailIn = MailInSettings()
    /// Print-to-fax: which Faxline user a print job is sent as (`[print]`).
    public var printing = PrintSettings()
    /// Webhooks and job callbacks (`[webhooks]`).
    public var webhooks = WebhookSettings()

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// The default cap of a Telephony listener: every line busy with its AGI and audio
    /// connections several times over, and room for refusals and stragglers.
    public var defaultConnectionLimit: Int { 4 * lines + 16 }
    public var agiMaximumConnections: Int { agiConnectionLimit ?? defaultConnectionLimit }
    public var audioSocketMaximumConnections: Int { audioSocketConnectionLimit ?? defaultConnectionLimit }

    public var databasePath: String { dataDirectory + "/faxline.sqlite" }
    public var spoolDirectory: String { dataDirectory + "/spool" }
    public var statusPath: String { dataDirectory + "/status.json" }
    public static let fileName = "faxline.conf"
    public var filePath: String { dataDirectory + "/" + Self.fileName }

    /// The defaults, changed by `<data>/faxline.conf` when there is one.
    public static func load(dataDirectory: String) throws(ConfigurationError) -> FaxlineConfiguration {
        var configuration = FaxlineConfiguration(dataDirectory: dataDirectory)
        let path = configuration.filePath
        guard FileManager.default.fileExists(atPath: path) else { return configuration }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, ErrorWords.describe(error))
        }
        do {
            try configuration.apply(ConfigurationFile(parsing: text))
        } catch {
            throw .inFile(path: path, error)
        }
        return configuration
    }

    /// Applies every entry; an unknown key or a bad value is an error naming its line.
    public mutating func apply(_ file: ConfigurationFile) throws(ConfigurationError) {
        for entry in file.entries {
            try apply(entry)
        }
        try validateWebSettings(file)
        try validateMailInSettings(file)
        if reserveInbound >= lines {
            throw .badValue(section: "general", key: "reserve_inbound", line: file.value("general", "reserve_inbound")?.line ?? 0,
                            "must be less than lines (\(lines))")
        }
        do {
            try smtp.validateLogin()
        } catch MailError.invalidConfiguration(let reason) {
            let entry = file.value("mail", "tls") ?? file.value("mail", "username")
            throw .badValue(section: "mail", key: entry?.key ?? "tls", line: entry?.line ?? 0, reason)
        } catch {
            throw .badValue(section: "mail", key: "tls", line: 0, "\(error)")
        }
    }

    private mutating func apply(_ entry: ConfigurationFile.Entry) throws(ConfigurationError) {
        func bad(_ reason: String) -> ConfigurationError {
            .badValue(section: entry.section, key: entry.key, line: entry.line, reason)
        }
        func integer(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
            guard let value = Int(entry.value), range.contains(value) else { throw bad("expected a number in \(range)") }
            return value
        }
        func boolean() throws(ConfigurationError) -> Bool { try entry.boolean() }
        func allowList() throws(ConfigurationError) -> PeerAllowList {
            do { return try PeerAllowList(parsing: entry.value) } catch { throw bad(error.description) }
        }
        func listener() throws(ConfigurationError) -> Listener {
            guard let colon = entry.value.lastIndex(of: ":"), let port = Int(entry.value[entry.value.index(after: colon)...]),
                  (0...65535).contains(port), colon > entry.value.startIndex else {
                throw bad("expected host:port")
            }
            return Listener(host: String(entry.value[..<colon]), port: port)
        }
        switch (entry.section, entry.key) {
        case ("general", "lines"): lines = try integer(1...512)
        case ("general", "reserve_inbound"): reserveInbound = try integer(0...511)
        case ("general", "station_id"):
            guard entry.value.utf8.count <= 20, entry.value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw bad("at most 20 printable ASCII characters")
            }
            stationID = entry.value
        case ("general", "ecm"): ecm = try boolean()
        case ("general", "connect"):
            guard let mode = MediaConnection(rawValue: entry.value.lowercased()) else {
                throw bad("expected audiosocket or dial-gateway")
            }
            mediaConnection = mode
        case ("agi", "bind"): agi = try listener()
        case ("agi", "allow"): agiAllowList = try allowList()
        case ("agi", "secret"):
            guard entry.value.count >= 16, entry.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~".contains($0)) }) else {
                throw bad("at least 16 letters, digits, '-', '_', '.' or '~' (it goes into a URL unescaped)")
            }
            agiSecret = Secret(entry.value)
        case ("agi", "max_connections"): agiConnectionLimit = try integer(1...100_000)
        case ("audiosocket", "bind"): audioSocket = try listener()
        case ("audiosocket", "address"): audioSocketAddress = try listener()
        case ("audiosocket", "idle_timeout"): mediaIdleTimeout = .seconds(try integer(40...3600))
        case ("audiosocket", "connect_timeout"): mediaConnectTimeout = .seconds(try integer(1...120))
        case ("audiosocket", "allow"): audioSocketAllowList = try allowList()
        case ("audiosocket", "max_connections"): audioSocketConnectionLimit = try integer(1...100_000)
        case ("spool", "min_free_mb"): minimumFreeBytes = Int64(try integer(0...1_000_000)) * 1024 * 1024
        case ("retention", "received_days"): retention.receivedFaxDays = try integer(1...36_500)
        case ("retention", "sent_days"): retention.sentFaxDays = try integer(1...36_500)
        case ("retention", "records_days"): retention.finishedRecordDays = try integer(1...36_500)
        case ("retention", "temporary_hours"): retention.temporaryFileHours = try integer(1...8_760)
        case ("retention", "cleanup_time"):
            if entry.value.lowercased() == "off" {
                cleanupSchedule = nil
            } else {
                do { cleanupSchedule = try RetentionSchedule(parsing: entry.value) } catch { throw bad("expected HH:MM or off") }
            }
        case ("mail", "smtp_host"): smtp.host = entry.value
        case ("mail", "smtp_port"): smtp.port = try integer(1...65535)
        case ("mail", "tls"):
            switch entry.value.lowercased() {
            case "none": smtp.tlsMode = .none
            case "starttls-if-offered": smtp.tlsMode = .startTLSIfOffered
            case "starttls": smtp.tlsMode = .startTLSRequired
            case "tls": smtp.tlsMode = .implicitTLS
            default: throw bad("expected none, starttls-if-offered, starttls or tls")
            }
        case ("mail", "username"): smtp.username = entry.value.isEmpty ? nil : entry.value
        case ("mail", "password"): smtp.password = entry.value.isEmpty ? nil : Secret(entry.value)
        case ("mail", "allow_plaintext_auth"): smtp.allowPlaintextAuthentication = try boolean()
        case ("mail", "from"): smtp.fromAddress = entry.value
        case ("mail", "verify_certificate"): smtp.verifyPeer = try boolean()
        case ("ami", _), ("outbound", _): try applyOutboundSetting(entry)
        case ("web", _): try applyWebSetting(entry)
        case ("mail-in", _): try applyMailInSetting(entry)
        case ("print", _): try applyPrintSetting(entry)
        case ("webhooks", _): try applyWebhookSetting(entry)
        default:
            throw .unknownSetting(section: entry.section, key: entry.key, line: entry.line)
        }
    }

    /// The address Asterisk is told to connect its AudioSocket to.
    public var mediaAddress: Listener { audioSocketAddress ?? audioSocket }
}
