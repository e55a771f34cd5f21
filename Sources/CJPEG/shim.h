#ifndef FAXLINE_CJPEG_SHIM_H
#define FAXLINE_CJPEG_SHIM_H

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

// libjpeg reports an error through error_exit, which must not return: here it longjmps back to
// the setjmp of the wrapper that made the call. Every call into libjpeg that can fail goes
// through one of these wrappers, so a longjmp never crosses a Swift frame. A wrapper returns -1
// on error and leaves libjpeg's message in `message`.

typedef struct faxline_jpeg {
    struct jpeg_decompress_struct info;
    struct jpeg_error_mgr errors;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    FILE *file;
    int created;
    int maximum_scans;
    char message[JMSG_LENGTH_MAX + 64];
} faxline_jpeg;

typedef struct faxline_jpeg_header {
    unsigned width;
    unsigned height;
    int components;
    /// J_COLOR_SPACE of the file (JCS_GRAYSCALE, JCS_YCbCr, JCS_RGB, JCS_CMYK, JCS_YCCK …).
    int color_space;
    int progressive;
    /// JFIF density: unit 0 = aspect ratio only, 1 = per inch, 2 = per centimetre.
    int density_unit;
    unsigned x_density;
    unsigned y_density;
    /// An Adobe APP14 marker: CMYK data is stored inverted.
    int adobe;
} faxline_jpeg_header;

typedef struct faxline_jpeg_output {
    unsigned width;
    unsigned height;
    int components;
} faxline_jpeg_output;

static void faxline_jpeg_on_error(j_common_ptr info) {
    faxline_jpeg *reader = (faxline_jpeg *) info->client_data;
    (*info->err->format_message)(info, reader->message);
    longjmp(reader->jump, 1);
}

// Warnings (a file cut short is decoded with grey at the bottom, as viewers show it) are not printed.
static void faxline_jpeg_on_message(j_common_ptr info) {
    (void) info;
}

// A progressive file may hold any number of scans, each a pass over the whole image: a few
// kilobytes can keep the decoder busy for minutes. Real files have at most a few dozen.
static void faxline_jpeg_on_progress(j_common_ptr info) {
    faxline_jpeg *reader = (faxline_jpeg *) info->client_data;
    if (info->is_decompressor) {
        j_decompress_ptr decompress = (j_decompress_ptr) info;
        if (decompress->input_scan_number > reader->maximum_scans) {
            snprintf(reader->message, sizeof reader->message, "more than %d progressive scans", reader->maximum_scans);
            longjmp(reader->jump, 1);
        }
    }
}

/// Opens `path`. NULL only when memory is short; otherwise `message` is empty when the
/// decoder is ready. `maximum_memory` bounds what libjpeg may allocate for the whole image
/// (a progressive file's coefficients); beyond it decoding fails instead of allocating.
static inline faxline_jpeg *faxline_jpeg_open(const char *path, long maximum_memory, int maximum_scans) {
    faxline_jpeg *reader = (faxline_jpeg *) calloc(1, sizeof *reader);
    if (!reader) return NULL;
    reader->maximum_scans = maximum_scans;
    reader->file = fopen(path, "rbe");
    if (!reader->file) {
        snprintf(reader->message, sizeof reader->message, "the file cannot be opened");
        return reader;
    }
    reader->info.err = jpeg_std_error(&reader->errors);
    reader->errors.error_exit = faxline_jpeg_on_error;
    reader->errors.output_message = faxline_jpeg_on_message;
    // Kept by jpeg_create_decompress, and needed by the error handler while it runs.
    reader->info.client_data = reader;
    if (setjmp(reader->jump)) return reader;
    jpeg_create_decompress(&reader->info);
    reader->created = 1;
    reader->info.mem->max_memory_to_use = maximum_memory;
    reader->progress.progress_monitor = faxline_jpeg_on_progress;
    reader->info.progress = &reader->progress;
    jpeg_stdio_src(&reader->info, reader->file);
    // EXIF (APP1) holds the orientation a camera recorded; Adobe (APP14) is read by libjpeg itself.
    jpeg_save_markers(&reader->info, JPEG_APP0 + 1, 0xFFFF);
    return reader;
}

static inline void faxline_jpeg_close(faxline_jpeg *reader) {
    if (!reader) return;
    if (reader->created) jpeg_destroy_decompress(&reader->info);
    if (reader->file) fclose(reader->file);
    free(reader);
}

static inline int faxline_jpeg_read_header(faxline_jpeg *reader, faxline_jpeg_header *header) {
    if (setjmp(reader->jump)) return -1;
    jpeg_read_header(&reader->info, TRUE);
    header->width = reader->info.image_width;
    header->height = reader->info.image_height;
    header->components = reader->info.num_components;
    header->color_space = (int) reader->info.jpeg_color_space;
    header->progressive = reader->info.progressive_mode ? 1 : 0;
    header->density_unit = reader->info.density_unit;
    header->x_density = reader->info.X_density;
    header->y_density = reader->info.Y_density;
    header->adobe = reader->info.saw_Adobe_marker ? 1 : 0;
    return 0;
}

/// The first saved APP1 marker that holds EXIF data, or NULL.
static inline const unsigned char *faxline_jpeg_exif(faxline_jpeg *reader, unsigned *length) {
    for (jpeg_saved_marker_ptr marker = reader->info.marker_list; marker; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1 && marker->data_length >= 6 && memcmp(marker->data, "Exif\0\0", 6) == 0) {
            *length = marker->data_length;
            return marker->data;
        }
    }
    *length = 0;
    return NULL;
}

/// Starts decoding: grey output when `grey` (from grey, YCbCr or RGB files), else CMYK (from
/// CMYK and YCCK files); scaled down by `scale_denominator` (1, 2, 4 or 8) inside the IDCT,
/// which makes a huge photo cheap to reduce to a fax page.
static inline int faxline_jpeg_start(faxline_jpeg *reader, int grey, unsigned scale_denominator,
                                     faxline_jpeg_output *output) {
    if (setjmp(reader->jump)) return -1;
    reader->info.out_color_space = grey ? JCS_GRAYSCALE : JCS_CMYK;
    reader->info.scale_num = 1;
    reader->info.scale_denom = scale_denominator;
    jpeg_start_decompress(&reader->info);
    output->width = reader->info.output_width;
    output->height = reader->info.output_height;
    output->components = reader->info.output_components;
    return 0;
}

/// Decodes the next row into `row` (output width × components bytes).
static inline int faxline_jpeg_read_row(faxline_jpeg *reader, unsigned char *row) {
    if (setjmp(reader->jump)) return -1;
    JSAMPROW rows[1] = { row };
    if (jpeg_read_scanlines(&reader->info, rows, 1) != 1) {
        snprintf(reader->message, sizeof reader->message, "the image data ends early");
        return -1;
    }
    return 0;
}

#endif
