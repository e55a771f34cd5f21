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

/// Tile offsets and byte counts share libtiff's strip arrays; these count either.
static inline uint32_t faxline_tiff_chunk_count(TIFF *tif) {
    return TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
}

/// Extra samples (alpha): how many, and the kind of the first (EXTRASAMPLE_*).
static inline int faxline_tiff_get_extra_samples(TIFF *tif, uint16_t *count, uint16_t *first_kind) {
    uint16_t *kinds = NULL;
    *count = 0;
    *first_kind = 0;
    if (!TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, count, &kinds)) return 0;
    if (*count > 0 && kinds) *first_kind = kinds[0];
    return 1;
}

/// The palette: three arrays of 2^bits 16-bit values owned by libtiff.
static inline int faxline_tiff_get_colormap(TIFF *tif, uint16_t **red, uint16_t **green, uint16_t **blue) {
    return TIFFGetField(tif, TIFFTAG_COLORMAP, red, green, blue);
}

/// Writing a palette (three arrays of 2^bits 16-bit values) and extra samples (EXTRASAMPLE_*).
static inline int faxline_tiff_set_colormap(TIFF *tif, uint16_t *red, uint16_t *green, uint16_t *blue) {
    return TIFFSetField(tif, TIFFTAG_COLORMAP, red, green, blue);
}

static inline int faxline_tiff_set_extra_samples(TIFF *tif, uint16_t count, uint16_t *kinds) {
    return TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, count, kinds);
}

/// Per-file messages: libtiff's last error for this handle, instead of a process-wide handler.
typedef struct faxline_tiff_messages {
    char last_error[512];
} faxline_tiff_messages;

static int faxline_tiff_keep_error(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void) tif;
    (void) module;
    faxline_tiff_messages *messages = (faxline_tiff_messages *) user_data;
    if (messages) vsnprintf(messages->last_error, sizeof messages->last_error, fmt, ap);
    return 1;
}

static int faxline_tiff_drop_warning(TIFF *tif, void *user_data, const char *module, const char *fmt, va_list ap) {
    (void) tif; (void) user_data; (void) module; (void) fmt; (void) ap;
    return 1;
}

/// TIFFOpen with libtiff's cap on any single allocation (a hostile header cannot make it
/// allocate more than `maximum_allocation` bytes at once) and errors kept in `messages`.
static inline TIFF *faxline_tiff_open(const char *path, const char *mode, faxline_tiff_messages *messages,
                                      int64_t maximum_allocation) {
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (!options) return NULL;
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t) maximum_allocation);
    TIFFOpenOptionsSetErrorHandlerExtR(options, faxline_tiff_keep_error, messages);
    TIFFOpenOptionsSetWarningHandlerExtR(options, faxline_tiff_drop_warning, NULL);
    TIFF *tif = TIFFOpenExt(path, mode, options);
    TIFFOpenOptionsFree(options);
    return tif;
}

#endif
