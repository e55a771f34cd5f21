import Foundation

/// PNG files written byte by byte, so the tests know every pixel: any colour type, bit depth,
/// palette, transparency and Adam7 interlacing. The image data goes in stored (uncompressed)
/// deflate blocks; decoding is what is under test, and that is libpng's.
enum TestPNG {
    enum ColourType: UInt8 {
        case grey = 0, rgb = 2, palette = 3, greyAlpha = 4, rgba = 6

        var samples: Int {
            switch self {
            case .grey, .palette: 1
            case .greyAlpha: 2
            case .rgb: 3
            case .rgba: 4
            }
        }
    }

    /// `pixel(x, y)` gives the pixel's samples, each below 2^depth.
    static func make(width: Int, height: Int, depth: Int = 8, colour: ColourType, interlaced: Bool = false,
                     palette: [UInt8]? = nil, transparency: [UInt8]? = nil,
                     pixel: (Int, Int) -> [Int]) -> [UInt8] {
        var header = u32(UInt32(width)) + u32(UInt32(height))
        header += [UInt8(depth), colour.rawValue, 0, 0, interlaced ? 1 : 0]
        var raw: [UInt8] = []
        let passes: [(x: Int, y: Int, dx: Int, dy: Int)] = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for pass in passes {
            let columns = Array(stride(from: pass.x, to: width, by: pass.dx))
            guard !columns.isEmpty else { continue }
            for y in stride(from: pass.y, to: height, by: pass.dy) {
                raw.append(0)  // filter: none
                raw += packed(columns.flatMap { pixel($0, y) }, depth: depth)
            }
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        if let palette { file += chunk("PLTE", palette) }
        if let transparency { file += chunk("tRNS", transparency) }
        file += chunk("IDAT", zlibStored(raw))
        file += chunk("IEND", [])
        return file
    }

    static func packed(_ samples: [Int], depth: Int) -> [UInt8] {
        switch depth {
        case 8: return samples.map { UInt8($0) }
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        default:
            var bytes = [UInt8](repeating: 0, count: (samples.count * depth + 7) / 8)
            for (index, sample) in samples.enumerated() {
                let bit = index * depth
                bytes[bit / 8] |= UInt8(sample << (8 - depth - bit % 8))
            }
            return bytes
        }
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return u32(UInt32(data.count)) + body + u32(crc32(body))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65_535, data.count - offset)
            let last: UInt8 = offset + count == data.count ? 1 : 0
            out += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<(offset + count)]
            offset += count
        } while offset < data.count
        return out + u32(adler32(data))
    }

    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    /// The 68-byte file that crashed the hand-written decoder: IHDR of 0xFFFFFFFF × 0xFFFFFFFF.
    static let overflowing: [UInt8] = {
        let header = u32(0xFFFF_FFFF) + u32(0xFFFF_FFFF) + [8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlibStored([])) + chunk("IEND", [])
    }()

    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let path = TestDocuments.directory(name).appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
