import Accounts
import Documents
import FaxCore
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// An error as the API answers it: RFC 9457 problem details, `application/problem+json`.
/// Handlers and middleware throw these; `ProblemMiddleware` writes them, and turns every other
/// error into one (`APIProblem(from:)`), so that no error leaves the server as an HTML page or
/// an empty 500.
public struct APIProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A short, fixed summary of the kind of problem.
    public var title: String
    /// This occurrence, in plain words.
    public var detail: String
    /// The field or document the problem is about.
    public var field: String?
    /// Extra response headers (Retry-After, WWW-Authenticate).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.title = title ?? status.reasonPhrase
        self.detail = detail
        self.field = field
        self.headers = headers
    }

    public var description: String { "\(status.code) \(title): \(detail)" }

    /// A URI naming the kind of problem (RFC 9457 `type`).
    public var type: String {
        "https://faxline.invalid/problems/" + title.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
    }

    // MARK: - The usual ones

    public static func unauthorized(_ detail: String) -> APIProblem {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"faxline\""
        return APIProblem(.unauthorized, detail, headers: headers)
    }

    public static func forbidden(_ denial: AccessDenial) -> APIProblem {
        APIProblem(.forbidden, denial.description.prefix(1).uppercased() + denial.description.dropFirst())
    }

    public static func notFound(_ what: String) -> APIProblem {
        APIProblem(.notFound, "\(what) was not found")
    }

    public static func badRequest(_ detail: String, field: String? = nil) -> APIProblem {
        APIProblem(.badRequest, detail, field: field)
    }

    public static func tooLarge(limit: Int) -> APIProblem {
        APIProblem(.contentTooLarge, "the request is larger than the upload limit of \(limit / 1_048_576) MB ([web] max_upload_mb)")
    }

    // MARK: - From the errors of the rest of the server

    /// The problem an error means to a client; unknown errors are 500s with a neutral text
    /// (the log has the details).
    public init(from error: any Error) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let error as ServerError:
            self = Self.fromServerError(error)
        case let error as FaxValidationError:
            self = APIProblem(.unprocessableContent, error.description, title: "Invalid value", field: error.field)
        case let error as DocumentError:
            self = APIProblem(.unprocessableContent, error.description, title: "Document cannot be sent", field: error.documentName)
        case let error as RepositoryError:
            switch error {
            case .notFound(let what): self = .notFound(what)
            case .conflict, .inUse: self = APIProblem(.conflict, error.description)
            }
        case let error as JobTransitionError:
            self = APIProblem(.conflict, error.description)
        case let error as AuthenticationError:
            self = .unauthorized(error.description)
        case let error as DecodingError:
            self = .badRequest("the request body is not valid: \(Self.describe(error))")
        case let error as HTTPError:
            self = APIProblem(error.status, error.body ?? error.status.reasonPhrase)
        case let error as any HTTPResponseError:
            self = APIProblem(error.status, error.status.reasonPhrase)
        case let error as any SubmissionRefusal:
            self = APIProblem(error.status, error.detail)
        default:
            self = APIProblem(.internalServerError, "the server could not complete the request; its log says why")
        }
    }

    /// The generated code wraps what a handler throws, and its own decoding failures (a bad
    /// query value, a malformed body), in `ServerError`.
    private static func fromServerError(_ error: ServerError) -> APIProblem {
        if let underlying = error.underlyingError as? APIProblem { return underlying }
        switch error.underlyingError {
        case is FaxValidationError, is DocumentError, is RepositoryError, is JobTransitionError, is AuthenticationError,
             is any SubmissionRefusal, is HTTPError:
            return APIProblem(from: error.underlyingError)
        default:
            break
        }
        if error.causeDescription.contains("Unexpected content type") || error.causeDescription.contains("content type") {
            return APIProblem(.unsupportedMediaType, "\(error.causeDescription)")
        }
        // A request the generated code could not read: that is the client's.
        return .badRequest("\(error.causeDescription): \(Self.describe(error.underlyingError))")
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription + Self.path(context.codingPath)
        case DecodingError.keyNotFound(let key, let context): return "\(key.stringValue) is missing" + Self.path(context.codingPath)
        case DecodingError.typeMismatch(_, let context): return context.debugDescription + Self.path(context.codingPath)
        case DecodingError.valueNotFound(_, let context): return context.debugDescription + Self.path(context.codingPath)
        default:
            let text = "\(error)"
            return text.count > 300 ? String(text.prefix(300)) + "…" : text
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "" : " (at \(codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")))"
    }

    // MARK: - Response

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var instance: String?
        var field: String?
    }

    /// The problem as a response to a request for `path`.
    public func response(instance path: String?) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Body(type: type, title: title, status: status.code, detail: detail, instance: path, field: field)
        let data = (try? encoder.encode(body)) ?? Data("{\"title\":\"Internal Server Error\",\"status\":500}".utf8)
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Refusals of a submission that are not about a value: the disk is full, say. The adapter's
/// errors conform, so that the API does not depend on the server's error types.
public protocol SubmissionRefusal: Error {
    var status: HTTPResponse.Status { get }
    var detail: String { get }
}

extension DocumentError {
    /// The document an error is about, as the client named it.
    var documentName: String? {
        switch self {
        case .emptyFile(let path), .unreadable(let path, _), .unknownType(let path), .encrypted(let path), .damaged(let path, _),
             .tooManyPages(let path, _), .tooLarge(let path, _), .fileAccessRefused(let path), .timedOut(let path, _),
             .toolMissing(let path, _, _), .toolFailed(let path, _, _), .cannotWrite(let path, _):
            return path
        case .invalidOption:
            return nil
        }
    }
}
