extension Array where Element == UInt8 {
    /// Where `marker` starts in these bytes at or after `start`. Foundation's `firstRange(of:)`
    /// on bytes allocates at every position it tries: about 100,000 times for one fax page's
    /// PDF, a million for the megabyte read to look for `/Encrypt`.
    func firstIndex(ofBytes marker: [UInt8], from start: Int = 0) -> Int? {
        guard let first = marker.first else { return start }
        var index = start
        while index + marker.count <= count {
            if self[index] == first, self[index..<index + marker.count].elementsEqual(marker) { return index }
            index += 1
        }
        return nil
    }
}
