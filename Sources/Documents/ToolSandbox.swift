import Foundation

/// A private folder (mode 0700) for one run of an external tool, removed afterwards whatever
/// happened. Its `scratch` folder, empty at the start, is the tool's TMPDIR and HOME: with
/// -dSAFER Ghostscript still lets a document read, write and delete files in the temporary
/// folder, so that folder must hold nothing but the document's own scratch files. The tool's
/// output log and the link to its input live beside it, where the tool cannot write.
final class ToolSandbox: Sendable {
    let path: String

    init() throws(DocumentError) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("faxline-tool-\(UUID().uuidString)").path
        guard mkdir(path, 0o700) == 0, mkdir(path + "/tmp", 0o700) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: path)
            throw .cannotWrite(path: path, reason: "cannot create a private folder for the converter (\(reason))")
        }
        self.path = path
    }

    /// TMPDIR and HOME of the tool.
    var scratch: String { path + "/tmp" }

    func file(_ name: String) -> String { path + "/" + name }

    /// A link named `name` in the sandbox to `target`, so the tool is given a path of our making
    /// (no separator or wildcard characters from a user's file name in its permission lists).
    func link(_ name: String, to target: String) throws(DocumentError) -> String {
        let link = file(name)
        let absolute = URL(fileURLWithPath: target).standardizedFileURL.path
        guard symlink(absolute, link) == 0 else {
            throw .cannotWrite(path: link, reason: String(cString: strerror(errno)))
        }
        return link
    }

    /// Removes the folder and all in it; links are removed, never followed.
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit {
        remove()
    }
}
