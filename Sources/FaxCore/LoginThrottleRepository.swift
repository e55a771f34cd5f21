import Foundation

/// Failed sign-ins, kept durably so that a restart does not lift a lock.
public protocol LoginThrottleRepository: Sendable {
    /// The records of these subjects that exist (over or not), in the order asked.
    func loginFailures(_ subjects: [LoginSubject]) async throws -> [LoginFailures]
    /// Applies `policy.recordingFailure` to the stored record in one transaction, so that
    /// concurrent failures all count, and returns the new record. Also forgets every record
    /// that is over at `now` (`policy.isOver`), so that guessed names do not pile up.
    func recordLoginFailure(_ subject: LoginSubject, at now: Date, policy: LoginThrottlePolicy) async throws -> LoginFailures
    /// Forgets the subject's failures and lifts its lock.
    func clearLoginFailures(_ subject: LoginSubject) async throws
}
