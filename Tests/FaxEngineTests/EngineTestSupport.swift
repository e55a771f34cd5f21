import FaxEngine
import FaxTestSupport
import Foundation
import Testing

/// A sender and a receiver over `transport`, sending `document` (default: the 3-page letter)
/// into a fresh file.
func makeCall(
    transport: BackToBackCall.Transport = .audio, ecm: Bool = true, senderCalls: Bool = true,
    document: URL? = nil, firstPage: Int? = nil, lastPage: Int? = nil,
    configure: (inout FaxSessionOptions) -> Void = { _ in },
    packetLoss: Double = 0, redundancy: Int = 0, seed: UInt64 = 1
) throws -> (call: BackToBackCall, sent: URL, received: URL) {
    let sent = try document ?? TestDocuments.letter()
    let received = try TestDocuments.makeTemporaryDirectory("engine").appendingPathComponent("received.tif")
    var senderOptions = FaxSessionOptions()
    senderOptions.ecm = ecm
    senderOptions.localStationID = "+1 555 0100"
    configure(&senderOptions)
    var receiverOptions = FaxSessionOptions()
    receiverOptions.ecm = ecm
    receiverOptions.localStationID = "+1 555 0199"
    let call = try BackToBackCall(
        send: .send(path: sent.path, firstPage: firstPage, lastPage: lastPage),
        receive: .receive(path: received.path), transport: transport, senderCalls: senderCalls,
        senderOptions: senderOptions, receiverOptions: receiverOptions,
        packetLoss: packetLoss, redundancy: redundancy, seed: seed)
    return (call, sent, received)
}

/// The received pages equal `pages` of the sent document, pixel for pixel.
func expectSamePages(_ received: URL, as sent: URL, pages: ClosedRange<Int>? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
    let sentPages = try FaxPageRaster.pages(of: sent.path)
    let receivedPages = try FaxPageRaster.pages(of: received.path)
    let expected = pages.map { Array(sentPages[($0.lowerBound - 1)...($0.upperBound - 1)]) } ?? sentPages
    #expect(receivedPages.count == expected.count, sourceLocation: sourceLocation)
    for (index, (got, want)) in zip(receivedPages, expected).enumerated() {
        #expect(got.width == want.width && got.height == want.height,
                "page \(index + 1): \(got.width)x\(got.height) != \(want.width)x\(want.height)",
                sourceLocation: sourceLocation)
        #expect(got == want, "page \(index + 1) differs", sourceLocation: sourceLocation)
    }
}
