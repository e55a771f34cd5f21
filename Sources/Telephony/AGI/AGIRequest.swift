import Foundation

/// The URL a dialplan passed to `AGI()`, e.g. `agi://127.0.0.1:4573/fax/inbound?device=201`.
public struct AGIRequest: Sendable, Hashable {
    /// The URL as Asterisk sent it.
    public let url: String
    /// The path without leading or trailing "/": `fax/inbound`. Routers match on this.
    public let scriptPath: String
    /// The query items in order, percent-decoded: `[("device", "201")]`.
    public let queryItems: [QueryItem]

    public struct QueryItem: Sendable, Hashable {
        public let name: String
        public let value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// Parses an `agi://` (or `hagi://`) URL; nil for anything else.
    public init?(url: String) {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(),
            scheme == "agi" || scheme == "hagi"
        else {
            return nil
        }
        var path = Substring(components.path)
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        self.url = url
        self.scriptPath = String(path)
        self.queryItems = (components.queryItems ?? []).map { QueryItem(name: $0.name, value: $0.value) }
    }

    /// The value of the first query item called `name`.
    public subscript(query name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}
