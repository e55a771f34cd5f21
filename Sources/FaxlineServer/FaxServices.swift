import FaxCore
import Logging
import Store
import Telephony

/// What the server's parts share: the store, the lines, the spool and the audio sessions.
public struct FaxServices: Sendable {
    public let configuration: FaxlineConfiguration
    public let database: FaxDatabase
    public let lines: LinePool
    public let spool: Spool
    public let diskGuard: DiskGuard
    public let audioSessions: AudioSocketSessionRegistry
    public let deliveryWakeUp: WakeUpSignal
    public let logger: Logger
    /// Where Asterisk connects for a call's audio: the configured address, or the AudioSocket
    /// listener once it is bound (its port may have been picked by the system).
    let mediaAddress: @Sendable () async throws -> FaxlineConfiguration.Listener

    public init(configuration: FaxlineConfiguration, database: FaxDatabase, lines: LinePool,
                audioSessions: AudioSocketSessionRegistry, logger: Logger,
                mediaAddress: @escaping @Sendable () async throws -> FaxlineConfiguration.Listener) {
        self.mediaAddress = mediaAddress
        self.configuration = configuration
        self.database = database
        self.lines = lines
        self.audioSessions = audioSessions
        self.logger = logger
        spool = Spool(root: configuration.spoolDirectory)
        diskGuard = DiskGuard(spool: spool, minimumFreeBytes: configuration.minimumFreeBytes)
        deliveryWakeUp = WakeUpSignal()
    }
}
