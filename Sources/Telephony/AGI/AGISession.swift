import FaxCore
import Logging
import NIOCore

/// One FastAGI connection, as seen by a script handler: the environment Asterisk sent and a
/// way to send commands and read their responses, one at a time.
///
/// Belongs to the task that runs the handler; commands are strictly sequential, as in AGI.
public final class AGISession {
    /// The variables Asterisk sent at the start.
    public let environment: AGIEnvironment
    /// Logger with the call's ids (`agi.uniqueid`, `agi.channel`, `agi.script`) as metadata.
    public let logger: Logger
    /// True once Asterisk has said the channel hung up (`HANGUP` line or a 511 response).
    public private(set) var isHungUp = false
    /// The address Asterisk connected from.
    public let remoteAddress: SocketAddress?

    private var lines: NIOAsyncChannelInboundStream<String>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    private var replyParser: AGIReplyParser
    private let defaultCommandTimeout: Duration
    private var isBroken = false

    /// Reads the environment from a fresh connection (within `environmentTimeout`).
    init(
        inbound: NIOAsyncChannelInboundStream<String>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel,
        environmentLimits: AGIEnvironmentParser.Limits,
        environmentTimeout: Duration,
        replyLimits: AGIReplyParser.Limits,
        defaultCommandTimeout: Duration,
        logger: Logger
    ) async throws {
        var lines = inbound.makeAsyncIterator()
        let deadline = Self.armDeadline(
            on: channel, after: environmentTimeout, error: AGISessionError.environmentTimedOut(after: environmentTimeout))
        defer { deadline.cancel() }
        var parser = AGIEnvironmentParser(limits: environmentLimits)
        var environment: AGIEnvironment?
        while environment == nil {
            guard let line = try await lines.next() else {
                throw AGISessionError.connectionClosed(command: nil)
            }
            environment = try parser.feed(line: line)
        }
        self.environment = environment!
        self.lines = lines
        self.outbound = outbound
        self.channel = channel
        self.replyParser = AGIReplyParser(limits: replyLimits)
        self.defaultCommandTimeout = defaultCommandTimeout
        self.remoteAddress = channel.remoteAddress
        var logger = logger
        // What Asterisk passes on may come from the caller: no terminal escapes into the log.
        logger[metadataKey: "agi.uniqueid"] = environment?.uniqueID.map { .string(UntrustedText.cleaned($0)) }
        logger[metadataKey: "agi.channel"] = environment?.channel.map { .string(UntrustedText.cleaned($0)) }
        logger[metadataKey: "agi.script"] = environment?.request.map { .string(UntrustedText.cleaned($0.scriptPath)) }
        self.logger = logger
    }

    /// Sends `command` and waits for its response.
    ///
    /// - Parameter timeout: how long Asterisk may take; nil means the server's default. Give
    ///   `EXEC AudioSocket`/`EXEC Dial` the length of a whole fax call — they answer only when
    ///   the call's media has ended.
    /// - Throws: ``AGISessionError`` when the response does not come (the connection is then
    ///   closed), ``AGIProtocolError`` for malformed input, `CancellationError` when cancelled.
    public func send(_ command: AGICommand, timeout: Duration? = nil) async throws -> AGIResponse {
        guard !isBroken else { throw AGISessionError.sessionBroken }
        // Until the response has been read, a failure leaves the conversation out of step.
        isBroken = true
        let timeout = timeout ?? defaultCommandTimeout
        logger.trace("AGI >> \(command.text)")
        try await outbound.write(command.encoded())
        let deadline = Self.armDeadline(
            on: channel, after: timeout, error: AGISessionError.commandTimedOut(command: command.text, after: timeout))
        defer { deadline.cancel() }
        while true {
            guard let line = try await lines.next() else {
                try Task.checkCancellation()
                throw AGISessionError.connectionClosed(command: command.text)
            }
            switch try replyParser.feed(line: line) {
            case nil:
                continue
            case .hangup:
                logger.debug("Asterisk reports the channel hung up")
                isHungUp = true
            case .response(let response):
                logger.trace("AGI << \(response)")
                if response == .notPermittedOnDeadChannel { isHungUp = true }
                isBroken = false
                return response
            }
        }
    }

    /// Sends `command` and returns the `200` result, or throws ``AGICommandFailure`` for any
    /// other response.
    @discardableResult
    public func run(_ command: AGICommand, timeout: Duration? = nil) async throws -> AGIResult {
        let response = try await send(command, timeout: timeout)
        guard case .success(let result) = response else {
            throw AGICommandFailure(command: command.text, response: response)
        }
        return result
    }

    /// Closes the connection from any task — a watchdog whose wait ran out while a command
    /// still waits for its response (which then fails with ``AGISessionError``).
    public var closer: AGIConnectionCloser { AGIConnectionCloser(channel: channel) }

    /// Ends the script: closes the connection, and Asterisk goes on with the dialplan.
    public func close() async {
        isBroken = true
        try? await channel.close()
    }

    /// Fails the inbound stream with `error` and closes the connection once `after` has passed.
    private static func armDeadline(on channel: any Channel, after: Duration, error: any Error) -> Scheduled<Void> {
        channel.eventLoop.scheduleTask(in: TimeAmount(after)) {
            channel.pipeline.fireErrorCaught(error)
            channel.close(promise: nil)
        }
    }
}

/// Closes one AGI connection; see ``AGISession/closer``.
public struct AGIConnectionCloser: Sendable {
    let channel: any Channel

    public func close() {
        channel.close(promise: nil)
    }
}

/// A command that Asterisk answered with something other than `200`.
public struct AGICommandFailure: Error, Hashable, CustomStringConvertible {
    public let command: String
    public let response: AGIResponse

    public var description: String {
        "AGI command \(WireText.excerpt(command)) failed: \(response)"
    }
}
