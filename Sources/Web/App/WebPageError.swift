import FaxCore
import HTTPTypes

/// An error a page answers with an HTML page of its own (status, a heading, the detail in plain
/// words). Every other error is mapped as the API maps it (`APIProblem(from:)`), so a page and
/// the API give the same status for the same failure.
struct WebPageError: Error {
    var status: HTTPResponse.Status
    var detail: String

    init(_ status: HTTPResponse.Status, _ detail: String) {
        self.status = status
        self.detail = detail
    }

    static func notFound(_ what: String) -> WebPageError { WebPageError(.notFound, "\(what) was not found.") }

    static func forbidden(_ denial: AccessDenial) -> WebPageError {
        WebPageError(.forbidden, "You may not see or change this: " + denial.description + ".")
    }

    /// A form that came without its session's form token (or with another's).
    static let formTokenMissing = WebPageError(
        .forbidden, "The form was refused because it did not carry this session's form token. Reload the page and try again.")

    static func badRequest(_ detail: String) -> WebPageError { WebPageError(.badRequest, detail) }
}
