import Accounts
import FaxCore
import Foundation
import HTTPTypes

/// What the administration pages for people share (users and their tokens, webhooks, the
/// audit log): administrators only, where they sit in the navigation, and how a refused change
/// is shown above its form.
enum PeoplePages {
    /// The navigation entry these pages belong to; none until the navigation has an Admin entry.
    static let section: Chrome.Section? = .admin

    /// The signed-in administrator, or 403 (`AccessPolicy`, the API's rule for `area`).
    static func administrator(_ context: WebRequestContext, _ area: AdministrationArea) throws -> WebSessions.SignedIn {
        let session = try context.requireSession()
        try WebApp.require(session, .administer(area))
        return session
    }

    /// A change the services refused (a bad value, a taken name, a URL a user may not set):
    /// the status the API gives it and its words as a sentence, to show above the form. Server
    /// faults are not shown so: they go on to the error page and the log.
    struct Refusal: Error {
        var status: HTTPResponse.Status
        var message: String

        init(_ status: HTTPResponse.Status, _ message: String) {
            self.status = status
            self.message = message
        }

        static func from(_ error: any Error) throws -> Refusal {
            if let refusal = error as? Refusal { return refusal }
            let problem = APIProblem(from: error)
            guard problem.status.code < 500 else { throw error }
            return Refusal(problem.status, problem.detail.prefix(1).uppercased() + problem.detail.dropFirst() + ".")
        }
    }

    /// A checkbox list's entry (devices of a user, events of a webhook).
    struct Choice {
        var id: String
        var value: String
        var label: String
        var checked: Bool
    }

    /// A select's entry.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// A time for a table cell, or "never".
    static func time(_ date: Date?) -> String { date.map(WebDisplay.time) ?? "never" }
}
