import FuzzSupport
import PictureFuzzSupport

// A JPEG submitted for faxing: libjpeg-turbo's header, the EXIF orientation, the scaled decode
// through JPEGPicture, the size checks and the page rasterizer. The input is the whole file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    PictureChecks.decode(FuzzInput.bytes(start, count), type: .jpeg, suffix: ".jpg")
    return 0
}
