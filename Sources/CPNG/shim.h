#ifndef FAXLINE_CPNG_SHIM_H
#define FAXLINE_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libpng reports an error by longjmp to the last setjmp. Every call into libpng that can fail
// is made from one of the wrappers below, each with its own setjmp, so a longjmp never crosses
// a Swift frame. A wrapper returns -1 on error and leaves libpng's message in `message`.

typedef struct faxline_png {
    png_structp png;
    png_infop info;
    FILE *file;
    char message[256];
    /// The first warning: libpng warns about each problem of a header, then fails with
    /// "Invalid IHDR data"; the warning says which problem it was.
    char warning[256];
} faxline_png;

typedef struct faxline_png_header {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;
    int interlaced;
    /// Pixels per metre as the pHYs chunk gives them; 0 when the file does not say.
    uint32_t x_pixels_per_metre;
    uint32_t y_pixels_per_metre;
    /// 1 when pHYs gives only the pixels' aspect ratio (no unit).
    int aspect_only;
} faxline_png_header;

static void faxline_png_on_error(png_structp png, png_const_charp message) {
    faxline_png *reader = (faxline_png *) png_get_error_ptr(png);
    snprintf(reader->message, sizeof reader->message, "%s", message ? message : "unknown error");
    png_longjmp(png, 1);
}

static void faxline_png_on_warning(png_structp png, png_const_charp message) {
    faxline_png *reader = (faxline_png *) png_get_error_ptr(png);
    if (reader->warning[0] == 0) snprintf(reader->warning, sizeof reader->warning, "%s", message ? message : "");
}

/// Opens `path` for reading. NULL only when memory is short; otherwise check `message`:
/// it is empty when the file is open and libpng is ready.
static inline faxline_png *faxline_png_open(const char *path) {
    faxline_png *reader = (faxline_png *) calloc(1, sizeof *reader);
    if (!reader) return NULL;
    reader->file = fopen(path, "rbe");
    if (!reader->file) {
        snprintf(reader->message, sizeof reader->message, "the file cannot be opened");
        return reader;
    }
    reader->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, faxline_png_on_error, faxline_png_on_warning);
    if (reader->png) reader->info = png_create_info_struct(reader->png);
    if (!reader->png || !reader->info) {
        snprintf(reader->message, sizeof reader->message, "libpng cannot start (out of memory)");
        return reader;
    }
    png_init_io(reader->png, reader->file);
    return reader;
}

static inline void faxline_png_close(faxline_png *reader) {
    if (!reader) return;
    if (reader->png) png_destroy_read_struct(&reader->png, reader->info ? &reader->info : NULL, NULL);
    if (reader->file) fclose(reader->file);
    free(reader);
}

/// Reads the chunks before the image data. libpng itself refuses a header larger than
/// `max_width` × `max_height` before it allocates anything for the image, and ancillary
/// chunks (ICC profiles, text) larger than `max_chunk` bytes.
static inline int faxline_png_read_header(faxline_png *reader, uint32_t max_width, uint32_t max_height,
                                          size_t max_chunk, faxline_png_header *header) {
    if (setjmp(png_jmpbuf(reader->png))) return -1;
    png_set_user_limits(reader->png, max_width, max_height);
    png_set_chunk_malloc_max(reader->png, max_chunk);
    png_set_chunk_cache_max(reader->png, 1000);
    png_read_info(reader->png, reader->info);
    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(reader->png, reader->info, &width, &height, &depth, &color, &interlace, NULL, NULL);
    header->width = width;
    header->height = height;
    header->bit_depth = depth;
    header->color_type = color;
    header->interlaced = interlace != PNG_INTERLACE_NONE;
    png_uint_32 x = 0, y = 0;
    int unit = 0;
    header->x_pixels_per_metre = 0;
    header->y_pixels_per_metre = 0;
    header->aspect_only = 0;
    if (png_get_pHYs(reader->png, reader->info, &x, &y, &unit)) {
        header->x_pixels_per_metre = x;
        header->y_pixels_per_metre = y;
        header->aspect_only = unit != PNG_RESOLUTION_METER;
    }
    return 0;
}

/// Asks for every row as 8-bit RGBA whatever the file holds: palettes and low bit depths
/// expanded, 16-bit samples scaled, grey made RGB, transparency (alpha or tRNS) as alpha and
/// opaque pixels with alpha 255. Interlaced images are not deinterlaced: each Adam7 pass comes
/// out as its own small image (see faxline_png_pass_*), so no whole-image buffer is needed.
static inline int faxline_png_start_rgba_rows(faxline_png *reader, size_t *row_bytes) {
    if (setjmp(png_jmpbuf(reader->png))) return -1;
    png_set_expand(reader->png);
    png_set_scale_16(reader->png);
    png_set_gray_to_rgb(reader->png);
    png_set_add_alpha(reader->png, 0xFF, PNG_FILLER_AFTER);
    png_read_update_info(reader->png, reader->info);
    if (png_get_channels(reader->png, reader->info) != 4 || png_get_bit_depth(reader->png, reader->info) != 8) {
        snprintf(reader->message, sizeof reader->message, "unexpected row format after conversion");
        return -1;
    }
    *row_bytes = png_get_rowbytes(reader->png, reader->info);
    return 0;
}

/// Decodes the next row (of the current pass, for an interlaced image) into `row`.
static inline int faxline_png_read_row(faxline_png *reader, unsigned char *row) {
    if (setjmp(png_jmpbuf(reader->png))) return -1;
    png_read_row(reader->png, row, NULL);
    return 0;
}

// Adam7 pass geometry (macros in png.h), for placing the pixels of each pass.
static inline uint32_t faxline_png_pass_columns(uint32_t width, int pass) { return PNG_PASS_COLS(width, pass); }
static inline uint32_t faxline_png_pass_rows(uint32_t height, int pass) { return PNG_PASS_ROWS(height, pass); }
static inline uint32_t faxline_png_pass_start_column(int pass) { return PNG_PASS_START_COL(pass); }
static inline uint32_t faxline_png_pass_start_row(int pass) { return PNG_PASS_START_ROW(pass); }
static inline uint32_t faxline_png_pass_column_step(int pass) { return PNG_PASS_COL_OFFSET(pass); }
static inline uint32_t faxline_png_pass_row_step(int pass) { return PNG_PASS_ROW_OFFSET(pass); }

#endif
