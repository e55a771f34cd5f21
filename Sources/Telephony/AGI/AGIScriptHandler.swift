/// Runs one AGI script: what happens to a call that reached `AGI(agi://…/<script>)`.
///
/// When `handle` returns (or throws), the server closes the connection and Asterisk continues
/// with the next dialplan step.
public protocol AGIScriptHandler: Sendable {
    func handle(_ session: AGISession) async throws
}

/// A script handler made from a closure.
public struct AGIClosureScriptHandler: AGIScriptHandler {
    private let body: @Sendable (AGISession) async throws -> Void

    public init(_ body: @escaping @Sendable (AGISession) async throws -> Void) {
        self.body = body
    }

    public func handle(_ session: AGISession) async throws {
        try await body(session)
    }
}

/// Picks the handler for a request's script path.
public struct AGIRouter: Sendable {
    private let resolve: @Sendable (AGIRequest) -> (any AGIScriptHandler)?

    /// Routes by script path, e.g. `["inbound": …, "fax/outbound": …]`; slashes at either end of
    /// the keys are ignored.
    public init(_ routes: [String: any AGIScriptHandler]) {
        var normalized: [String: any AGIScriptHandler] = [:]
        for (path, handler) in routes {
            normalized[Self.normalize(path)] = handler
        }
        self.resolve = { [normalized] request in normalized[request.scriptPath] }
    }

    /// Routes with a function of the whole request (path and query).
    public init(resolve: @escaping @Sendable (AGIRequest) -> (any AGIScriptHandler)?) {
        self.resolve = resolve
    }

    public func handler(for request: AGIRequest) -> (any AGIScriptHandler)? {
        resolve(request)
    }

    private static func normalize(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }
}
