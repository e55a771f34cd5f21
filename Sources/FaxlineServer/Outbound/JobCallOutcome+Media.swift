import CallMedia
import FaxCore

extension MediaCallOutcome {
    /// What an answered call's audio means for its job. It rests on what the engine heard:
    /// a far end that never sent a T.30 frame was no fax machine ("no carrier", retried after
    /// `retry_no_carrier`); only a call in which T.30 ran can fail as a protocol failure.
    var jobOutcome: JobCallOutcome {
        let pages = fax.pagesConfirmed
        if fax.isSuccess || (fax.pagesToSend.map { pages >= $0 } ?? false) {
            return .answered(pagesConfirmed: pages, complete: true, cause: .other, result: "sent")
        }
        switch ending {
        case .neverConnected(let why):
            return .answered(pagesConfirmed: 0, complete: false, cause: .noCarrier,
                             result: "answered, but the call's audio never reached Faxline (\(why))")
        case .hungUpByUs(let why):
            return .answered(pagesConfirmed: pages, complete: false, cause: .other, result: "hung up: \(why)")
        case .faxFinished, .farEndHungUp, .mediaFailed:
            break
        }
        guard fax.t30Started else {
            let how = ending == .farEndHungUp ? "the far end hung up before any fax tone" : fax.statusString
            return .answered(pagesConfirmed: 0, complete: false, cause: .noCarrier, result: "no fax machine answered (\(how))")
        }
        let how = ending == .farEndHungUp ? "the far end hung up" : fax.statusString
        return .answered(pagesConfirmed: pages, complete: false, cause: .protocolFailure,
                         result: "\(how) after \(pages) confirmed page\(pages == 1 ? "" : "s") (\(fax.statusString))")
    }
}
