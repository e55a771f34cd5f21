/// Removes blank space at the bottom of pages (HylaFAX's PageChop): a blank run of at least
/// the threshold is cut, leaving a small margin under the last ink.
struct PageChopper {
    var chop: PageChop
    /// Kept under the last black row, in inches, so the page does not end on the text.
    static let marginInches = 0.25

    func apply(to pages: inout [FaxBitmap]) {
        switch chop.mode {
        case .none:
            return
        case .last:
            if !pages.isEmpty { chopPage(&pages[pages.count - 1]) }
        case .all:
            for index in pages.indices { chopPage(&pages[index]) }
        }
    }

    func chopPage(_ page: inout FaxBitmap) {
        let blank = page.trailingBlankRows
        let threshold = Int(chop.thresholdInches * page.yResolution)
        guard blank >= threshold, blank < page.height else { return }
        let margin = Int(Self.marginInches * page.yResolution)
        page.truncate(toRows: min(page.height, page.height - blank + margin))
    }
}
