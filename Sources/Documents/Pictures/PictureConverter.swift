/// TIFF, PNG and JPEG files into fax pages, decoded in this process with libtiff, libpng and
/// libjpeg-turbo, one page at a time: each page is scaled to the fax page while it is read,
/// made black and white, and written to the fax TIFF before the next is decoded.
struct PictureConverter {
    let options: ConversionOptions
    let timer: ConversionTimer

    var limits: PictureLimits {
        PictureLimits(maximumPixelsPerPage: options.maximumPixelsPerPage, decoderMemory: options.decoderMemoryLimit)
    }

    /// Appends the pages of `path` to `writer`; more than `pageLimit` pages is `tooManyPages`
    /// (naming the document's limit, `options.maximumPages`). Returns the page count.
    func convert(_ path: String, type: DocumentType, pageLimit: Int, to writer: FaxTIFFWriter) async throws(DocumentError) -> Int {
        let deadline = PictureDeadline(path: path, seconds: Int(options.timeLimit.components.seconds),
                                       expired: options.timeLimit <= .zero)
        let timer = self.timer
        let limit = options.timeLimit
        let outcome: Result<Int, DocumentError> = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await timer.wait(limit)
                deadline.expire()
            }
            let outcome = Result { () throws(DocumentError) -> Int in
                try decode(path, type: type, pageLimit: pageLimit, deadline: deadline, to: writer)
            }
            group.cancelAll()
            return outcome
        }
        return try outcome.get()
    }

    private func decode(_ path: String, type: DocumentType, pageLimit: Int, deadline: PictureDeadline,
                        to writer: FaxTIFFWriter) throws(DocumentError) -> Int {
        try Self.decode(path, type: type, limits: limits, format: options.format, pageLimit: pageLimit,
                        reportedLimit: options.maximumPages, deadline: deadline) { (page) throws(DocumentError) in
            try writer.append(page)
        }
    }

    /// Decodes the pages of `path` one at a time, handing each to `emit`; returns the count.
    static func decode(_ path: String, type: DocumentType, limits: PictureLimits, format: FaxPageFormat,
                       pageLimit: Int, reportedLimit: Int, deadline: PictureDeadline,
                       emit: (FaxBitmap) throws(DocumentError) -> Void) throws(DocumentError) -> Int {
        switch type {
        case .png:
            try emit(try PNGPicture(path: path, limits: limits, format: format, deadline: deadline).page())
            return 1
        case .jpeg:
            try emit(try JPEGPicture(path: path, limits: limits, format: format, deadline: deadline).page())
            return 1
        case .tiff:
            var count = 0
            try TIFFPicture(path: path, limits: limits, format: format, deadline: deadline)
                .pages(pageLimit: pageLimit, reportedLimit: reportedLimit) { (page) throws(DocumentError) in
                    try emit(page)
                    count += 1
                }
            return count
        default:
            throw .unknownType(path: path)
        }
    }
}
