import FaxCore
import Foundation

/// Who a mail is sent as: the Faxline user (or device) behind a sign-in or a mail address.
public struct MailFaxSender: Sendable, Equatable {
    /// The jobs' owner: the user's login name, or `mail:ADDRESS` for a device's address (never
    /// a login name: those have no `:`). Limits per sender count the jobs of this owner.
    public var owner: String
    /// The device the fax is sent as (its station id, header and caller id name).
    public var device: FaxDevice?
    /// Where replies and notifications go.
    public var replyAddress: String
    /// How errors and logs name the sender.
    public var label: String
}

/// Finds the user or device a mail is sent as, and whether it may fax (``AccessPolicy``).
struct MailSenderDirectory: Sendable {
    let store: any FaxStore

    enum Lookup: Sendable, Equatable {
        case sender(MailFaxSender)
        /// Known, but may not fax: the reason.
        case refused(String)
        case unknown
    }

    /// The signed-in user `name`.
    func user(named name: String) async throws -> Lookup {
        guard let user = try await store.user(name: User.loginName(name)) else { return .unknown }
        return try await sender(for: user)
    }

    /// The user whose mail address is `address`, else the device that has it.
    func sender(forAddress address: String) async throws -> Lookup {
        let wanted = address.lowercased()
        if let user = try await store.users().first(where: { $0.email.lowercased() == wanted }) {
            return try await sender(for: user)
        }
        guard let device = try await store.devices().first(where: { $0.emailAddresses.contains { $0.lowercased() == wanted } }) else {
            return .unknown
        }
        guard device.isEnabled else { return .refused("fax device \(device.extensionNumber) is disabled") }
        return .sender(MailFaxSender(owner: "mail:\(wanted)", device: device, replyAddress: address,
                                     label: "fax device \(device.extensionNumber) (\(wanted))"))
    }

    private func sender(for user: User) async throws -> Lookup {
        var device: FaxDevice?
        for number in user.deviceExtensions {
            if let candidate = try await store.device(extension: number), candidate.isEnabled {
                device = candidate
                break
            }
        }
        let decision = AccessPolicy.decide(Principal(user: user, credential: .password), .send(asDevice: device?.extensionNumber))
        guard decision.isAllowed else {
            if case .denied(.administratorsOnly) = decision {
                return .refused("user \(user.name) has no enabled fax device to send from")
            }
            if case .denied(let denial) = decision { return .refused("user \(user.name) may not fax: \(denial)") }
            return .refused("user \(user.name) may not fax")
        }
        return .sender(MailFaxSender(owner: user.name, device: device, replyAddress: user.email, label: "user \(user.name)"))
    }
}
