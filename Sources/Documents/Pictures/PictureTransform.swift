/// One of the eight ways a picture can be turned or mirrored, numbered as TIFF and EXIF number
/// their orientations (1 = as stored … 6 = turn a quarter clockwise to view … 8 = a quarter
/// counterclockwise). Applied to a stored pixel it gives where that pixel is seen: first the
/// axes are swapped when `transposed`, then the result is mirrored.
struct PictureTransform: Equatable, Sendable {
    var transposed: Bool
    var mirroredX: Bool
    var mirroredY: Bool

    static let identity = PictureTransform(transposed: false, mirroredX: false, mirroredY: false)
    /// What Ghostscript's page fitting does to a landscape page: its top edge ends up on the left.
    static let quarterTurnCounterclockwise = PictureTransform(transposed: true, mirroredX: false, mirroredY: true)

    /// The transform that shows a picture stored with this orientation the right way up.
    init(orientation: Int) {
        switch orientation {
        case 2: self.init(transposed: false, mirroredX: true, mirroredY: false)
        case 3: self.init(transposed: false, mirroredX: true, mirroredY: true)
        case 4: self.init(transposed: false, mirroredX: false, mirroredY: true)
        case 5: self.init(transposed: true, mirroredX: false, mirroredY: false)
        case 6: self.init(transposed: true, mirroredX: true, mirroredY: false)
        case 7: self.init(transposed: true, mirroredX: true, mirroredY: true)
        case 8: self.init(transposed: true, mirroredX: false, mirroredY: true)
        default: self = .identity
        }
    }

    init(transposed: Bool, mirroredX: Bool, mirroredY: Bool) {
        self.transposed = transposed
        self.mirroredX = mirroredX
        self.mirroredY = mirroredY
    }

    /// The size of a `width` × `height` picture once transformed.
    func size(width: Int, height: Int) -> (width: Int, height: Int) {
        transposed ? (height, width) : (width, height)
    }

    /// Where stored pixel (x, y) of a `width` × `height` picture is seen.
    func apply(x: Int, y: Int, width: Int, height: Int) -> (x: Int, y: Int) {
        let (size, point) = transposed ? ((height, width), (y, x)) : ((width, height), (x, y))
        return (mirroredX ? size.0 - 1 - point.0 : point.0, mirroredY ? size.1 - 1 - point.1 : point.1)
    }

    /// This transform, then `next`.
    func followed(by next: PictureTransform) -> PictureTransform {
        // Of the eight candidates, the one that moves three reference pixels of a non-square
        // picture where applying both in turn does: that determines a transform uniquely.
        let (width, height) = (3, 2)
        let probes = [(0, 0), (1, 0), (0, 1)]
        let afterFirst = size(width: width, height: height)
        for candidate in (1...8).map(PictureTransform.init(orientation:)) {
            let matches = probes.allSatisfy { probe in
                let first = apply(x: probe.0, y: probe.1, width: width, height: height)
                let both = next.apply(x: first.x, y: first.y, width: afterFirst.width, height: afterFirst.height)
                let direct = candidate.apply(x: probe.0, y: probe.1, width: width, height: height)
                return both == direct
            }
            if matches { return candidate }
        }
        preconditionFailure("the eight orientations are closed under composition")
    }
}

/// Where a picture lands on a fax page, as Ghostscript's -dPDFFitPage places a PDF page: seen
/// the right way up (its orientation), turned a quarter counterclockwise when it is landscape,
/// scaled to fit the page without cropping (up or down, keeping its proportions in inches),
/// and centred.
struct PicturePlacement: Equatable, Sendable {
    /// Stored pixels → page.
    var transform: PictureTransform
    /// The picture's size on the page, in page pixels, and its top-left corner there.
    var width: Int
    var height: Int
    var left: Int
    var top: Int

    init(width pictureWidth: Int, height pictureHeight: Int, xDPI: Double, yDPI: Double,
         orientation: Int, format: FaxPageFormat) {
        var transform = PictureTransform(orientation: orientation)
        let seen = transform.size(width: pictureWidth, height: pictureHeight)
        // Pixels at most 8 times taller than wide (fax standard resolution is 2:1); anything
        // stranger, or no resolution at all, is taken as square pixels.
        let aspect = xDPI / yDPI
        let square = !(xDPI > 0 && yDPI > 0 && aspect.isFinite && aspect >= 0.125 && aspect <= 8)
        let (storedXDPI, storedYDPI) = square ? (1.0, 1.0) : (xDPI, yDPI)
        let (seenXDPI, seenYDPI) = transform.transposed ? (storedYDPI, storedXDPI) : (storedXDPI, storedYDPI)
        var inches = (width: Double(seen.width) / seenXDPI, height: Double(seen.height) / seenYDPI)
        if inches.width > inches.height {
            transform = transform.followed(by: .quarterTurnCounterclockwise)
            inches = (inches.height, inches.width)
        }
        let page = (width: Double(format.width) / format.xDPI, height: Double(format.height) / format.yDPI)
        let scale = min(page.width / inches.width, page.height / inches.height)
        self.transform = transform
        width = min(format.width, max(1, Int((inches.width * scale * format.xDPI).rounded())))
        height = min(format.height, max(1, Int((inches.height * scale * format.yDPI).rounded())))
        left = (format.width - width) / 2
        top = (format.height - height) / 2
    }

    /// The picture's size on the page in its stored orientation: what a decoder that can
    /// scale while decoding (JPEG) must at least deliver.
    var storedSize: (width: Int, height: Int) {
        transform.transposed ? (height, width) : (width, height)
    }
}
