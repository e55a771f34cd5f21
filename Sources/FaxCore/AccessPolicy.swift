/// Who a fax or a job belongs to, as the access rules see it.
public struct Ownership: Sendable, Equatable {
    /// The devices it was received on or sent from.
    public var deviceExtensions: Set<String>
    /// Login name of the user who submitted it; `nil` for received faxes.
    public var submitter: String?

    public init(deviceExtensions: Set<String> = [], submitter: String? = nil) {
        self.deviceExtensions = deviceExtensions
        self.submitter = submitter
    }
}

extension FaxRecord {
    /// A received fax belongs to the devices it was routed to; a sent one to the device it
    /// was sent from. (Fax records do not name their submitter: a fax sent with no device is
    /// in its submitter's jobs, and in the fax history only for administrators.)
    public var ownership: Ownership { Ownership(deviceExtensions: Set(deviceExtensions)) }
}

extension Job {
    /// A job belongs to the user who submitted it and to the owners of the device it is sent
    /// from. `owner` is the submitter's login name for jobs from the API, the web app and the
    /// mail gateway, and the Unix user name for `faxline send`.
    public var ownership: Ownership {
        Ownership(deviceExtensions: sender.deviceExtension.map { [$0] } ?? [], submitter: owner.isEmpty ? nil : owner)
    }
}

public enum FaxOperation: String, Sendable, CaseIterable {
    /// List it, see its record, event log, pages, PDF and TIFF.
    case read
    /// Mail it again to its device's addresses.
    case resend
    case delete
}

public enum JobOperation: String, Sendable, CaseIterable {
    case read, kill, retry
}

/// What is done with an address book entry.
public enum ContactOperation: String, Sendable, CaseIterable {
    /// List it, see it, send to it.
    case read
    /// Add, change or remove it.
    case change
}

/// What only administrators manage.
public enum AdministrationArea: String, Sendable, CaseIterable {
    case devices, routes, groups, retention, users
    /// Anyone's tokens (a user manages their own with `OwnAccountAction.manageTokens`).
    case tokens
    /// Global webhooks and other users' webhooks.
    case webhooks
    case auditLog = "audit log"
    /// The configuration the server runs with (read only, secrets masked).
    case configuration
}

/// What a user does to their own account.
public enum OwnAccountAction: String, Sendable, CaseIterable {
    case changePassword = "change password"
    case manageTokens = "manage tokens"
    case manageWebhooks = "manage webhooks"
}

public enum AccessRequest: Sendable, Equatable {
    case fax(FaxOperation, Ownership)
    case job(JobOperation, Ownership)
    /// Send a fax as this device (its station id, header and caller id), or as none.
    case send(asDevice: String?)
    /// Line states, today's counts, queue and mail backlog (`faxline status`).
    case serverStatus
    case ownAccount(OwnAccountAction)
    case administer(AdministrationArea)
    /// A contact of the user with this id; `nil`: a shared one.
    case contact(ContactOperation, ownerID: Int64?)
}

public enum AccessDenial: Sendable, Equatable, CustomStringConvertible {
    case userDisabled
    /// The token's scope is too narrow.
    case scope(needed: TokenScope, granted: TokenScope)
    /// The fax or job belongs to other users.
    case notOwner
    case notDeviceOwner(String)
    case administratorsOnly
    /// Only with the password (a signed-in session), never with a token.
    case passwordRequired

    public var description: String {
        switch self {
        case .userDisabled: "the user is disabled"
        case .scope(let needed, let granted):
            "the token's scope is \(granted.rawValue); this needs a token with scope \(needed.rawValue)"
        case .notOwner: "it belongs to another user"
        case .notDeviceOwner(let number): "fax device \(number) is not one of the user's devices"
        case .administratorsOnly: "only administrators may do this"
        case .passwordRequired: "this needs a sign-in with the password, not a token"
        }
    }
}

public enum AccessDecision: Sendable, Equatable {
    case allowed
    case denied(AccessDenial)

    public var isAllowed: Bool { self == .allowed }
}

/// What faxes and jobs a list shows to a principal. Lists are filtered by the store, so the
/// rule is handed over as data; it is the same ownership rule `decide` applies to one item.
public enum ListScope: Sendable, Equatable {
    case everything
    /// Those whose `Ownership` shares a device with these, or was submitted by this user.
    case owned(deviceExtensions: Set<String>, submitter: String)
    case nothing

    public func includes(_ ownership: Ownership) -> Bool {
        switch self {
        case .everything: true
        case .nothing: false
        case .owned(let devices, let submitter):
            !devices.isDisjoint(with: ownership.deviceExtensions) || ownership.submitter == submitter
        }
    }
}

/// The access rules, in one place: the REST API, the web app and the mail gateway ask these
/// functions and implement none of their own.
///
/// - Administrators may do everything; other users only what concerns their devices: the faxes
///   received on or sent from them, the jobs sent from them or submitted by the user, sending
///   as them (never without a device).
/// - A token acts with its user's rights cut to its scope: `read` reads, `send` also sends,
///   mails again, kills and retries and keeps the address book, `admin` is everything the user may do (deleting faxes,
///   their own tokens and webhooks, the administration if the user is an administrator).
/// - A password sign-in has all the user's rights; changing the password needs one.
/// - Everybody reads the shared address book and keeps their own; only administrators change
///   the shared one, and they may see and change every user's.
/// - A disabled user may do nothing (the authenticator already refuses them; this covers a
///   principal held across the change).
public enum AccessPolicy {
    public static func decide(_ principal: Principal, _ request: AccessRequest) -> AccessDecision {
        let user = principal.user
        guard user.isEnabled else { return .denied(.userDisabled) }
        if let needed = neededScope(request), principal.scope < needed {
            return .denied(.scope(needed: needed, granted: principal.scope))
        }
        switch request {
        case .fax(_, let ownership), .job(_, let ownership):
            return listScope(for: principal).includes(ownership) ? .allowed : .denied(.notOwner)
        case .send(let device):
            if user.isAdmin { return .allowed }
            guard let device else { return .denied(.administratorsOnly) }
            return user.deviceExtensions.contains(device) ? .allowed : .denied(.notDeviceOwner(device))
        case .serverStatus:
            return .allowed
        case .ownAccount(.changePassword):
            return principal.credential == .password ? .allowed : .denied(.passwordRequired)
        case .ownAccount:
            return .allowed
        case .administer:
            return user.isAdmin ? .allowed : .denied(.administratorsOnly)
        case .contact(let operation, let ownerID):
            if user.isAdmin { return .allowed }
            guard let ownerID else { return operation == .read ? .allowed : .denied(.administratorsOnly) }
            return ownerID == user.id ? .allowed : .denied(.notOwner)
        }
    }

    /// Whether the principal may list the contacts of `scope`: their own address book, the
    /// shared one and their own contacts always; another user's only as `decide` allows
    /// reading that user's contacts; everybody's as an administrator.
    public static func decideContactList(_ principal: Principal, _ scope: ContactScope) -> AccessDecision {
        switch scope {
        case .addressBook(let userID), .owned(let userID): decide(principal, .contact(.read, ownerID: userID))
        case .shared: decide(principal, .contact(.read, ownerID: nil))
        case .everything: decide(principal, .administer(.users))
        }
    }

    /// The address book a principal sends from: their own contacts and the shared ones.
    public static func contactScope(for principal: Principal) -> ContactScope? {
        principal.user.id.map { .addressBook(userID: $0) }
    }

    public static func decide(_ principal: Principal, _ action: FaxOperation, fax: FaxRecord) -> AccessDecision {
        decide(principal, .fax(action, fax.ownership))
    }

    public static func decide(_ principal: Principal, _ action: JobOperation, job: Job) -> AccessDecision {
        decide(principal, .job(action, job.ownership))
    }

    /// Whether the principal may make a token of `scope` for the user named `owner`: their own
    /// (never wider than the token asking: a token cannot make a stronger one), or anyone's
    /// as an administrator.
    public static func decideTokenCreation(_ principal: Principal, owner: String, scope: TokenScope) -> AccessDecision {
        guard owner == principal.user.name else { return decide(principal, .administer(.tokens)) }
        let own = decide(principal, .ownAccount(.manageTokens))
        guard own.isAllowed else { return own }
        return scope > principal.scope ? .denied(.scope(needed: scope, granted: principal.scope)) : .allowed
    }

    /// The faxes and jobs the principal's lists show.
    public static func listScope(for principal: Principal) -> ListScope {
        let user = principal.user
        guard user.isEnabled else { return .nothing }
        if user.isAdmin { return .everything }
        return .owned(deviceExtensions: Set(user.deviceExtensions), submitter: user.name)
    }

    /// The narrowest token scope that allows the request; `nil` where no token scope is
    /// enough or every scope is.
    static func neededScope(_ request: AccessRequest) -> TokenScope? {
        switch request {
        case .fax(.read, _), .job(.read, _), .serverStatus, .contact(.read, _): .read
        case .fax(.resend, _), .job(.kill, _), .job(.retry, _), .send, .contact(.change, _): .send
        case .fax(.delete, _), .ownAccount(.manageTokens), .ownAccount(.manageWebhooks), .administer: .admin
        case .ownAccount(.changePassword): nil
        }
    }
}
