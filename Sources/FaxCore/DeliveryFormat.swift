/// How a received fax is attached to the email sent to a device's addresses (the device's
/// setting, the mail queue's per-recipient choice, and what the mail composer builds).
public enum DeliveryFormat: String, Sendable, Codable, CaseIterable {
    /// Text body and a PDF made from the fax pages (the default).
    case pdf
    /// Text body and the fax TIFF as received.
    case tiff
    /// Text body, PDF and TIFF.
    case both
    /// HTML body showing page 1 (a `cid:` image) with a text alternative, and the PDF attached.
    case inline
}
