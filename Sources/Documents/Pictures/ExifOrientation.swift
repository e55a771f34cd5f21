/// The orientation a camera recorded in a JPEG's EXIF block (APP1: "Exif\0\0" and a small TIFF
/// structure): tag 0x0112 of the first directory. Pure and bounds-checked: anything unexpected
/// means "as stored" (1).
enum ExifOrientation {
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let tiff = 6  // after "Exif\0\0"
        guard bytes.count >= tiff + 8 else { return 1 }
        let littleEndian: Bool
        switch (bytes[tiff], bytes[tiff + 1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return 1
        }
        func u16(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 2 <= bytes.count else { return nil }
            let (a, b) = (Int(bytes[offset]), Int(bytes[offset + 1]))
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func u32(_ offset: Int) -> Int? {
            guard let low = u16(littleEndian ? offset : offset + 2), let high = u16(littleEndian ? offset + 2 : offset) else { return nil }
            return high << 16 | low
        }
        guard u16(tiff + 2) == 42, let directory = u32(tiff + 4), let count = u16(tiff + directory) else { return 1 }
        for entry in 0..<min(count, 512) {
            let at = tiff + directory + 2 + 12 * entry
            guard let tag = u16(at) else { return 1 }
            // SHORT, count 1: the value sits in the first two bytes of the value field.
            if tag == 0x0112, u16(at + 2) == 3, u32(at + 4) == 1, let value = u16(at + 8), (1...8).contains(value) {
                return value
            }
        }
        return 1
    }
}
