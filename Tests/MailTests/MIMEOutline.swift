import Mail

/// What the real MIME parser made of a message, with body pieces joined per part, so that
/// different splits of the input compare equal.
struct MIMEOutline: Equatable {
    var header: MIMEHeader?
    /// `multipart/mixed`, `part text/plain "name"`, `end`.
    var structure: [String] = []
    var bodies: [[UInt8]] = []
    var parts: [MIMEPartInfo] = []

    init(_ events: [MIMEEvent]) {
        var body: [UInt8] = []
        for event in events {
            switch event {
            case .messageHeader(let header):
                self.header = header
            case .multipartStart(let info):
                structure.append(info.mediaType)
            case .multipartEnd:
                structure.append("end")
            case .partStart(let info):
                structure.append("part \(info.mediaType)" + (info.declaredFileName.map { " \"\($0)\"" } ?? ""))
                parts.append(info)
                body = []
            case .partData(let bytes):
                body += bytes
            case .partEnd:
                bodies.append(body)
            }
        }
    }

    func text(_ index: Int) -> String { String(decoding: bodies[index], as: UTF8.self) }

    /// A whole message read in one go.
    init(message: some Collection<UInt8>) throws {
        self.init(try MIMEStreamParser.events(in: message))
    }
}
