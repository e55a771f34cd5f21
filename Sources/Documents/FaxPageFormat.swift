/// Vertical resolution of fax pages; horizontally a fax page is always 1728 dots over 215 mm.
public enum FaxResolution: String, Sendable, CaseIterable, Codable {
    case standard
    case fine
    case superfine

    public static let horizontalDPI = 204.0

    public var verticalDPI: Double {
        switch self {
        case .standard: return 98
        case .fine: return 196
        case .superfine: return 391
        }
    }
}

public enum PaperSize: String, Sendable, CaseIterable, Codable {
    case a4
    case letter

    /// Length of the paper in inches (A4 297 mm, Letter 11 in).
    public var lengthInches: Double {
        switch self {
        case .a4: return 297.0 / 25.4
        case .letter: return 11.0
        }
    }

    /// Width of the printable paper, the part a document is fitted into.
    public var widthInches: Double {
        switch self {
        case .a4: return 210.0 / 25.4
        case .letter: return 8.5
        }
    }

    /// Ghostscript's name for the paper size.
    var ghostscriptName: String {
        switch self {
        case .a4: return "a4"
        case .letter: return "letter"
        }
    }
}

/// The pixel size of one fax page.
public struct FaxPageFormat: Sendable, Equatable {
    public static let width = 1728

    public var resolution: FaxResolution
    public var paper: PaperSize
    /// Pixels of a page smaller than the paper's, see ``reduced(width:height:resolution:)``.
    private var reducedSize: ReducedSize?

    private struct ReducedSize: Sendable, Equatable {
        var width: Int
        var height: Int
    }

    public init(resolution: FaxResolution = .fine, paper: PaperSize = .a4) {
        self.resolution = resolution
        self.paper = paper
    }

    /// A page of `width` × `height` pixels at `resolution`'s dots per inch, at most a fax page
    /// in either direction. No fax is sent on one: the picture fuzz targets rasterize onto it,
    /// running every step of a conversion on a fraction of a whole page's pixels.
    public static func reduced(width: Int, height: Int, resolution: FaxResolution) -> FaxPageFormat {
        var format = FaxPageFormat(resolution: resolution)
        format.reducedSize = ReducedSize(width: min(max(width, 1), Self.width), height: min(max(height, 1), format.height))
        return format
    }

    public var width: Int { reducedSize?.width ?? Self.width }

    public var height: Int {
        reducedSize?.height ?? Int((paper.lengthInches * resolution.verticalDPI).rounded())
    }

    public var xDPI: Double { FaxResolution.horizontalDPI }
    public var yDPI: Double { resolution.verticalDPI }
}

/// HylaFAX's PageChop: blank space at the bottom of a page costs line time and carries nothing.
public struct PageChop: Sendable, Equatable {
    public enum Mode: String, Sendable, CaseIterable, Codable {
        case all
        case last
        case none
    }

    public var mode: Mode
    /// Only a blank run at least this tall is removed.
    public var thresholdInches: Double

    public init(mode: Mode = .last, thresholdInches: Double = 3.0) {
        self.mode = mode
        self.thresholdInches = thresholdInches
    }

    public static let none = PageChop(mode: .none)
}
