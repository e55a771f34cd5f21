#ifndef FAXLINE_CTIFF_SHIM_H
#define FAXLINE_CTIFF_SHIM_H

#include <tiffio.h>
#include <stdarg.h>

// TIFFGetField and TIFFSetField are variadic: Swift cannot call them, so each tag kind we use
// gets a typed wrapper here.

static inline int faxline_tiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetField(tif, tag, value);
}

static inline int faxline_tiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetField(tif, tag, value);
}

static inline int faxline_tiff_get_float(TIFF *tif, uint32_t tag, float *value) {
    return TIFFGetField(tif, tag, value);
}

static inline int faxline_tiff_get_string(TIFF *tif, uint32_t tag, const char **value) {
    return TIFFGetField(tif, tag, value);
}

static inline int faxline_tiff_get_defaulted_u16(TIFF *tif, uint32_t tag, uint16_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}

static inline int faxline_tiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value) {
    return TIFFSetField(tif, tag, value);
}

static inline int faxline_tiff_set_u16(TIFF *tif, uint32_t tag, uint16_t value) {
    return TIFFSetField(tif, tag, (int) value);
}

static inline int faxline_tiff_set_float(TIFF *tif, uint32_t tag, float value) {
    return TIFFSetField(tif, tag, (double) value);
}

static inline int faxline_tiff_set_string(TIFF *tif, uint32_t tag, const char *value) {
    return TIFFSetField(tif, tag, value);
}

/// Page number tag: two uint16 values (this page, page count).
static inline int faxline_tiff_set_page_number(TIFF *tif, uint16_t page, uint16_t count) {
    return TIFFSetField(tif, TIFFTAG_PAGENUMBER, (int) page, (int) count);
}

/// Strip offsets and byte counts: arrays owned by libtiff.
static inline int faxline_tiff_get_strips(TIFF *tif, uint32_t tag, uint64_t **values) {
    return TIFFGetField(tif, tag, values);
}

/// libtiff prints warnings and errors to stderr by default; a server must collect them instead.
typedef void (*faxline_tiff_message_fn)(const char *module, const char *message);

static faxline_tiff_message_fn faxline_tiff_error_sink = 0;

static void faxline_tiff_error_trampoline(const char *module, const char *fmt, va_list ap) {
    if (faxline_tiff_error_sink) {
        char text[512];
        vsnprintf(text, sizeof text, fmt, ap);
        faxline_tiff_error_sink(module ? module : "", text);
    }
}

static void faxline_tiff_ignore_warning(const char *module, const char *fmt, va_list ap) {
    (void) module; (void) fmt; (void) ap;
}

/// Sends libtiff errors to `sink` (or drops them when NULL) and drops warnings.
static inline void faxline_tiff_route_messages(faxline_tiff_message_fn sink) {
    faxline_tiff_error_sink = sink;
    TIFFSetErrorHandler(faxline_tiff_error_trampoline);
    TIFFSetWarningHandler(faxline_tiff_ignore_warning);
}

// Additions for the Documents module (page reader, PDF writer).

/// Page number tag: two uint16 values (this page, page count).
static inline int faxline_tiff_get_page_number(TIFF *tif, uint16_t *page, uint16_t *count) {
    return TIFFGetField(tif, TIFFTAG_PAGENUMBER, page, count);
}

/// 32-bit tags (Group3Options, Group4Options) with the library's default when absent.
static inline int faxline_tiff_get_defaulted_u32(TIFF *tif, uint32_t tag, uint32_t *value) {
    return TIFFGetFieldDefaulted(tif, tag, value);
}

#endif
