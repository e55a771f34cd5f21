import FaxCore

/// Everything the account services keep: FaxDatabase is one, a test double or another
/// database can be another.
public typealias AccountStore = UserRepository & APITokenRepository & LoginThrottleRepository & AuditRepository & WebSessionRepository
