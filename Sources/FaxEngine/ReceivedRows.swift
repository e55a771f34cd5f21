import CSpanDSPRows

/// Takes the rows of each page spandsp's receiver ends, in place of its TIFF writer, and hands
/// the page to a ``ReceivedPageWriter``. The row handler runs inside `fax_rx` (or the T.38
/// receive), on the session's thread: it only packs rows (``PackedRows``).
final class ReceivedRows {
    private let t30: OpaquePointer
    private let writer: ReceivedPageWriter
    private var rows: PackedRows?

    init(t30: OpaquePointer, writer: ReceivedPageWriter) {
        self.t30 = t30
        self.writer = writer
    }

    /// Installs the row handler once spandsp has started receiving a document (it clears the
    /// handler for each new one); a check of two fields when it is in place. Call before every
    /// piece of received audio or T.38 data.
    func claim() {
        _ = faxline_t30_claim_received_rows(UnsafeMutableRawPointer(t30), { context, row, length in
            guard let context else { return -1 }
            let rows = Unmanaged<ReceivedRows>.fromOpaque(context).takeUnretainedValue()
            if let row {
                rows.take(UnsafeBufferPointer(start: row, count: length))
            } else {
                rows.pageEnded()
            }
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func take(_ row: UnsafeBufferPointer<UInt8>) {
        guard !row.isEmpty else { return }
        if rows == nil {
            rows = PackedRows(bytesPerRow: row.count)
        }
        guard row.count == rows?.bytesPerRow else { return }
        rows?.append(row)
    }

    private func pageEnded() {
        let ended = rows
        rows = nil
        guard let rows = ended, rows.count > 0 else { return }
        let geometry = faxline_t30_received_page(UnsafeMutableRawPointer(t30))
        let width = geometry.width > 0 ? Int(geometry.width) : rows.bytesPerRow * 8
        writer.append(ReceivedPage(rows: rows, width: width,
                                   xResolution: Int(geometry.x_resolution), yResolution: Int(geometry.y_resolution)))
    }
}
