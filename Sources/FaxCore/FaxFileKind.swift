/// The files of a filed fax that can be copied out or served: the CLI and the REST API name
/// them the same way.
public enum FaxFileKind: String, Sendable, CaseIterable {
    case pdf, tiff
}
