public protocol DeviceRepository: Sendable {
    /// All devices, by extension.
    func devices() async throws -> [FaxDevice]
    func device(extension number: String) async throws -> FaxDevice?
    /// Stores a new device with its retention override (in one transaction) and returns it
    /// with its id. Throws `RepositoryError.conflict` if the extension is taken.
    func addDevice(_ device: FaxDevice, retention: RetentionChange) async throws -> FaxDevice
    /// Replaces the stored device with the same id.
    func updateDevice(_ device: FaxDevice) async throws -> FaxDevice
    /// Applies `changes` and the retention change to the device, in one transaction; throws
    /// `RepositoryError.notFound` for an unknown extension.
    func changeDevice(extension number: String, _ changes: FaxDevice.Changes, retention: RetentionChange) async throws
        -> FaxDevice
    /// Throws `RepositoryError.inUse` while a routing rule or the default route points at it.
    /// The device's faxes stay.
    func removeDevice(extension number: String) async throws
    func setDeviceEnabled(_ enabled: Bool, extension number: String) async throws
}

extension DeviceRepository {
    public func addDevice(_ device: FaxDevice) async throws -> FaxDevice {
        try await addDevice(device, retention: RetentionChange())
    }
}
