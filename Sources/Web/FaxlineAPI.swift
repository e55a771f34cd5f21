import Accounts
import FaxCore
import Foundation
import OpenAPIRuntime

/// The handlers of the REST API (`APIProtocol` is generated from openapi.yaml). Each asks
/// `AccessPolicy` about the principal the authentication middleware found, then calls the
/// server through `APIServices`; every error is thrown and written as problem details by
/// `ProblemMiddleware`.
struct FaxlineAPI: APIProtocol {
    let services: APIServices
    let previews: PagePreviews
    let now: @Sendable () -> Date

    var accountAdministration: AccountAdministration { AccountAdministration(store: services.accounts) }

    /// The principal, if `AccessPolicy` allows it `request`; else 403.
    func principal(allowedTo request: AccessRequest) throws -> Principal {
        let principal = try RequestPrincipal.required()
        if case .denied(let denial) = AccessPolicy.decide(principal, request) { throw APIProblem.forbidden(denial) }
        return principal
    }

    /// Who an audit entry names for an API request.
    static func actor(_ principal: Principal) -> String {
        switch principal.credential {
        case .password: principal.user.name
        case .token(let id, _): "\(principal.user.name) (API token \(id))"
        }
    }

    // MARK: - Server and account

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.text))))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let principal = try RequestPrincipal.required()
        let tokenID: Int64? = if case .token(let id, _) = principal.credential { id } else { nil }
        return .ok(.init(body: .json(.init(user: .init(principal.user), scope: .init(principal.scope), tokenId: tokenID))))
    }

    func getStatus(_ input: Operations.GetStatus.Input) async throws -> Operations.GetStatus.Output {
        _ = try principal(allowedTo: .serverStatus)
        return .ok(.init(body: .json(.init(try await services.monitor.status()))))
    }

    // MARK: - Query values

    /// A page size from the query: 1…500, 50 unless given (the spec says the same; the
    /// generated code does not enforce it).
    static func limit(_ value: Int?) throws -> Int {
        guard let value else { return 50 }
        guard (1...FaxListQuery.maximumLimit).contains(value) else {
            throw APIProblem.badRequest("limit must be 1 to \(FaxListQuery.maximumLimit) (got \(value))", field: "limit")
        }
        return value
    }

    static func extensionNumber(_ value: String, field: String) throws -> String {
        guard !value.isEmpty, value.count <= 20, value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw APIProblem(.unprocessableContent, "\(field) must be 1 to 20 digits", title: "Invalid value", field: field)
        }
        return value
    }
}
