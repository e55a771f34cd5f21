/// Removes blank space at the bottom of pages (HylaFAX's PageChop): a blank run of at least
/// the threshold is cut, leaving a small margin under the last ink.
struct PageChopper {
    var chop: PageChop
    /// Kept under the last black row, in inches, so the page does not end on the text.
    static let marginInches = 0.25

    func apply(to pages: inout [FaxBitmap]) {
        for index in pages.indices { apply(to: &pages[index], isLast: index == pages.count - 1) }
    }

    /// Chops one page, as the mode says for a page that is (or is not) the fax's last.
    func apply(to page: inout FaxBitmap, isLast: Bool) {
        switch chop.mode {
        case .none: return
        case .last: if isLast { chopPage(&page) }
        case .all: chopPage(&page)
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
