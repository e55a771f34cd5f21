import CTIFF
import Foundation

/// TIFF files made by the tests: headers that declare anything (built byte by byte, with a
/// single byte of image data per page, so any decoding attempt fails), and real pictures in
/// layouts Ghostscript does not write (written with libtiff row by row).
enum TestTIFF {
    /// A little-endian TIFF of `pages` directories of `width` × `height`, 1 bit, G4, whose
    /// strips are one byte long.
    static func headerOnly(pages: Int, width: Int, height: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x49, 0x49, 42, 0]
        func u16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        func u32(_ value: Int) -> [UInt8] { u16(value & 0xFFFF) + u16(value >> 16) }
        let dataOffset = 8
        bytes += u32(dataOffset + 1)  // first directory right after the one data byte
        bytes.append(0)
        let entries: [(tag: Int, type: Int, value: Int)] = [
            (256, 4, width), (257, 4, height), (258, 3, 1), (259, 3, 4), (262, 3, 0),
            (273, 4, dataOffset), (277, 3, 1), (278, 4, height), (279, 4, 1),
        ]
        let directorySize = 2 + 12 * entries.count + 4
        for page in 0..<pages {
            let next = page == pages - 1 ? 0 : bytes.count + directorySize
            bytes += u16(entries.count)
            for entry in entries {
                bytes += u16(entry.tag) + u16(entry.type) + u32(1)
                bytes += entry.type == 3 ? u16(entry.value) + [0, 0] : u32(entry.value)
            }
            bytes += u32(next)
        }
        return bytes
    }

    enum Layout {
        /// 8-bit RGB (or grey), all rows in one deflate strip.
        case singleStrip
        /// 8-bit palette of four colours.
        case palette
        /// 8-bit RGBA with unassociated alpha.
        case rgbaStraight
        /// 16-bit grey.
        case grey16
    }

    /// `pixel(x, y)` gives the grey (0 black … 255 white) the picture should show; each layout
    /// stores it its own way.
    static func write(_ layout: Layout, width: Int, height: Int, to path: String, pixel: (Int, Int) -> UInt8) throws {
        guard let tiff = TIFFOpen(path, "w") else { throw TestTIFFError(description: "cannot create \(path)") }
        defer { TIFFClose(tiff) }
        func set(_ tag: Int32, _ value: Int) { _ = faxline_tiff_set_u32(tiff, UInt32(tag), UInt32(value)) }
        func set16(_ tag: Int32, _ value: Int) { _ = faxline_tiff_set_u16(tiff, UInt32(tag), UInt16(value)) }
        set(TIFFTAG_IMAGEWIDTH, width)
        set(TIFFTAG_IMAGELENGTH, height)
        set16(TIFFTAG_PLANARCONFIG, Int(PLANARCONFIG_CONTIG))
        set16(TIFFTAG_COMPRESSION, Int(COMPRESSION_ADOBE_DEFLATE))
        set(TIFFTAG_ROWSPERSTRIP, layout == .singleStrip ? height : 16)
        let samples: Int
        switch layout {
        case .singleStrip:
            samples = 3
            set16(TIFFTAG_BITSPERSAMPLE, 8)
            set16(TIFFTAG_PHOTOMETRIC, Int(PHOTOMETRIC_RGB))
        case .palette:
            samples = 1
            set16(TIFFTAG_BITSPERSAMPLE, 8)
            set16(TIFFTAG_PHOTOMETRIC, Int(PHOTOMETRIC_PALETTE))
            // 0 black, 1 white, 2 dark red, 3 light yellow; the rest black.
            var red = [UInt16](repeating: 0, count: 256), green = red, blue = red
            for (index, colour) in [(0, 0, 0), (255, 255, 255), (120, 10, 10), (250, 250, 160)].enumerated() {
                red[index] = UInt16(colour.0) * 257
                green[index] = UInt16(colour.1) * 257
                blue[index] = UInt16(colour.2) * 257
            }
            _ = faxline_tiff_set_colormap(tiff, &red, &green, &blue)
        case .rgbaStraight:
            samples = 4
            set16(TIFFTAG_BITSPERSAMPLE, 8)
            set16(TIFFTAG_PHOTOMETRIC, Int(PHOTOMETRIC_RGB))
            var kinds: [UInt16] = [UInt16(EXTRASAMPLE_UNASSALPHA)]
            _ = faxline_tiff_set_extra_samples(tiff, 1, &kinds)
        case .grey16:
            samples = 1
            set16(TIFFTAG_BITSPERSAMPLE, 16)
            set16(TIFFTAG_PHOTOMETRIC, Int(PHOTOMETRIC_MINISBLACK))
        }
        set16(TIFFTAG_SAMPLESPERPIXEL, samples)
        let bytesPerSample = layout == .grey16 ? 2 : 1
        var row = [UInt8](repeating: 0, count: width * samples * bytesPerSample)
        for y in 0..<height {
            for x in 0..<width {
                let grey = pixel(x, y)
                let base = x * samples * bytesPerSample
                switch layout {
                case .singleStrip:
                    row[base] = grey; row[base + 1] = grey; row[base + 2] = grey
                case .palette:
                    // Dark red reads as black, light yellow as white.
                    row[base] = grey < 128 ? (x % 2 == 0 ? 0 : 2) : (x % 2 == 0 ? 1 : 3)
                case .rgbaStraight:
                    // Black ink at full opacity; white as fully transparent black.
                    let ink = grey < 128
                    row[base] = 0; row[base + 1] = 0; row[base + 2] = 0; row[base + 3] = ink ? 255 : 0
                case .grey16:
                    let value = UInt16(grey) * 257
                    row[base] = UInt8(value & 0xFF); row[base + 1] = UInt8(value >> 8)
                }
            }
            let status = row.withUnsafeMutableBytes { TIFFWriteScanline(tiff, $0.baseAddress, UInt32(y), 0) }
            guard status == 1 else { throw TestTIFFError(description: "cannot write row \(y) of \(path)") }
        }
    }
}

struct TestTIFFError: Error, CustomStringConvertible {
    var description: String
}
