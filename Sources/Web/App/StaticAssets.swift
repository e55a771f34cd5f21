import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The stylesheet and the scripts, compiled in, served with an ETag of their content and
/// revalidated (`no-cache`), so a new version shows at once.
enum StaticAssets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
        var etag: String

        init(_ contentType: String, _ body: String) {
            self.contentType = contentType
            self.body = body
            // FNV-1a of the text: the same in every run, so a restart does not void caches.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in body.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            etag = "\"" + String(hash, radix: 36) + "\""
        }
    }

    static let assets: [String: Asset] = [
        "faxline.css": Asset("text/css; charset=utf-8", StyleSheet.text + PeopleStyleSheet.text),
        "faxline.js": Asset("text/javascript; charset=utf-8", Scripts.text),
    ]

    static func register(on router: RouterGroup<WebRequestContext>) {
        router.get("/static/:name") { request, context in
            let name = try context.parameters.require("name")
            guard let asset = assets[name] else { throw WebPageError.notFound("/static/\(name)") }
            var headers = HTTPFields()
            headers[.eTag] = asset.etag
            headers[.cacheControl] = "no-cache"
            if FileTag.matches(request.headers[.ifNoneMatch], etag: asset.etag) { return Response(status: .notModified, headers: headers) }
            headers[.contentType] = asset.contentType
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.body)))
        }
    }
}
