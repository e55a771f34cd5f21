import CTIFF
import FaxTIFF

/// One decoded TIFF scanline to grey (0 black … 255 white) on a white background, for the
/// layouts scanners and image programs write: grey (either polarity), RGB, palette and CMYK, at
/// 1, 2, 4, 8 or 16 bits per sample, with or without alpha. libtiff decodes the compression;
/// this only reads samples. (libtiff's RGBA interface knows these too, but reads a whole strip
/// at a time, and a picture in one compressed strip is common: the whole image.)
struct TIFFRowConverter {
    enum Colour {
        case grey(whiteIsZero: Bool)
        case rgb
        case palette(red: [UInt8], green: [UInt8], blue: [UInt8])
        case cmyk
    }

    enum Alpha {
        case none
        case straight(sample: Int)
        case premultiplied(sample: Int)
    }

    let colour: Colour
    let alpha: Alpha
    let bitsPerSample: Int
    let samplesPerPixel: Int

    /// The converter for `page`, nil when its layout needs libtiff's RGBA interface instead.
    /// A JPEG-compressed YCbCr page is read as RGB (libtiff converts it when asked).
    init?(page: FaxTIFFPage, file: TIFFFile) {
        guard !page.isTiled, page.planarConfiguration == Int(PLANARCONFIG_CONTIG) || page.samplesPerPixel == 1,
              [1, 2, 4, 8, 16].contains(page.bitsPerSample),
              page.sampleFormat == Int(SAMPLEFORMAT_UINT)
        else { return nil }
        let samples = page.samplesPerPixel
        var colourSamples: Int
        switch Int32(page.photometric) {
        case PHOTOMETRIC_MINISBLACK, PHOTOMETRIC_MINISWHITE:
            colour = .grey(whiteIsZero: page.photometric == Int(PHOTOMETRIC_MINISWHITE))
            colourSamples = 1
        case PHOTOMETRIC_RGB:
            colour = .rgb
            colourSamples = 3
        case PHOTOMETRIC_YCBCR where page.compression == Int(COMPRESSION_JPEG) && page.bitsPerSample == 8:
            guard faxline_tiff_set_u16(file.handle, UInt32(TIFFTAG_JPEGCOLORMODE), UInt16(JPEGCOLORMODE_RGB)) == 1 else { return nil }
            colour = .rgb
            colourSamples = 3
        case PHOTOMETRIC_PALETTE where page.bitsPerSample <= 8 && samples == 1:
            var red: UnsafeMutablePointer<UInt16>?
            var green: UnsafeMutablePointer<UInt16>?
            var blue: UnsafeMutablePointer<UInt16>?
            guard faxline_tiff_get_colormap(file.handle, &red, &green, &blue) == 1, let red, let green, let blue else { return nil }
            let entries = 1 << page.bitsPerSample
            // Colour maps are 16-bit; a few writers put 8-bit values in them.
            let eightBit = (0..<entries).allSatisfy { red[$0] < 256 && green[$0] < 256 && blue[$0] < 256 }
            func scaled(_ map: UnsafeMutablePointer<UInt16>) -> [UInt8] {
                (0..<entries).map { UInt8(eightBit ? map[$0] : map[$0] >> 8) }
            }
            colour = .palette(red: scaled(red), green: scaled(green), blue: scaled(blue))
            colourSamples = 1
        case PHOTOMETRIC_SEPARATED where samples >= 4 && page.bitsPerSample == 8:
            guard file.defaultedU16(TIFFTAG_INKSET) == UInt16(INKSET_CMYK) else { return nil }
            colour = .cmyk
            colourSamples = 4
        default:
            return nil
        }
        guard samples >= colourSamples else { return nil }
        if samples > colourSamples, page.extraSampleCount > 0 {
            switch Int32(page.firstExtraSample) {
            case EXTRASAMPLE_ASSOCALPHA: alpha = .premultiplied(sample: colourSamples)
            case EXTRASAMPLE_UNASSALPHA: alpha = .straight(sample: colourSamples)
            default: alpha = .none
            }
        } else {
            alpha = .none
        }
        bitsPerSample = page.bitsPerSample
        samplesPerPixel = samples
    }

    /// For a black and white page without alpha, whether a 1 bit is black (white-is-zero):
    /// such rows go to the rasterizer as bits. Nil for every other layout.
    var bilevelBlackIsOne: Bool? {
        guard bitsPerSample == 1, samplesPerPixel == 1, case .grey(let whiteIsZero) = colour else { return nil }
        return whiteIsZero
    }

    /// Bytes of one scanline of `width` pixels.
    func rowBytes(width: Int) -> Int {
        (width * samplesPerPixel * bitsPerSample + 7) / 8
    }

    /// Sample `index` of the row, scaled to 0…255 (`raw`: unscaled, for palette indexes).
    @inline(__always)
    func sample(_ row: UnsafeBufferPointer<UInt8>, _ index: Int, raw: Bool = false) -> Int {
        switch bitsPerSample {
        case 8:
            return Int(row[index])
        case 16:
            // libtiff gives 16-bit samples in the machine's byte order.
            let value = UnsafeRawBufferPointer(row).loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)
            return raw ? Int(value) : Int(value >> 8)
        default:
            let bit = index * bitsPerSample
            let mask = (1 << bitsPerSample) - 1
            let value = (Int(row[bit >> 3]) >> (8 - bitsPerSample - (bit & 7))) & mask
            return raw ? value : value * 255 / mask
        }
    }

    func convert(_ row: UnsafeBufferPointer<UInt8>, width: Int, into grey: UnsafeMutableBufferPointer<UInt8>) {
        for x in 0..<width {
            let first = x * samplesPerPixel
            var value: Int
            switch colour {
            case .grey(let whiteIsZero):
                value = sample(row, first)
                if whiteIsZero { value = 255 - value }
            case .rgb:
                value = RGBAConversion.luminance(sample(row, first), sample(row, first + 1), sample(row, first + 2))
            case .palette(let red, let green, let blue):
                let index = sample(row, first, raw: true)
                value = RGBAConversion.luminance(Int(red[index]), Int(green[index]), Int(blue[index]))
            case .cmyk:
                let white = 255 - sample(row, first + 3)
                value = RGBAConversion.luminance((255 - sample(row, first)) * white / 255,
                                                 (255 - sample(row, first + 1)) * white / 255,
                                                 (255 - sample(row, first + 2)) * white / 255)
            }
            switch alpha {
            case .none:
                break
            case .straight(let offset):
                let opacity = sample(row, first + offset)
                value = (value * opacity + 255 * (255 - opacity) + 127) / 255
            case .premultiplied(let offset):
                value += 255 - sample(row, first + offset)
            }
            grey[x] = UInt8(clamping: value)
        }
    }
}
