import FuzzSupport
import PictureFuzzSupport

// A PNG submitted for faxing: libpng's header and rows through PNGPicture, the size checks and
// the page rasterizer. The input is the whole file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    PictureChecks.decode(FuzzInput.bytes(start, count), type: .png, suffix: ".png")
    return 0
}
