/// How a received fax is attached to the email sent to a device's addresses.
public enum DeliveryFormat: String, Sendable, Codable, CaseIterable {
    /// A PDF made from the fax pages (the default).
    case pdf
    /// The fax TIFF as received.
    case tiff
    /// PDF and TIFF.
    case both
    /// HTML mail showing page 1 as an image, with the PDF attached.
    case inline
}
