#ifndef FAXLINE_SPANDSP_ROWS_H
#define FAXLINE_SPANDSP_ROWS_H

#include <stddef.h>
#include <stdint.h>

// The received page's rows, taken from spandsp 0.0.6's T.4 receiver instead of its TIFF writer.
// The receiver lives inside the T.30 state, whose layout spandsp shows only to code built with
// SPANDSP_EXPOSE_INTERNAL_STRUCTURES; this header takes the T.30 state as an untyped pointer so
// that Swift keeps seeing spandsp's types as opaque (CSpanDSP) and only rows.c knows the layout.

/// spandsp's row handler: a row of `len` bytes (bit 7 of byte 0 the leftmost pixel, 1 = black),
/// or `buf == NULL` after the page's last row. Returns 0, or -1 to say the row was not taken.
typedef int (*faxline_row_fn)(void *user_data, const uint8_t buf[], size_t len);

/// Installs `handler` on the T.30 state's page receiver once it has been started (after DCS);
/// does nothing before that or when it is installed already. Returns 1 when it installed it now.
/// With a handler, 0.0.6 hands each ended page's rows to it and writes no page into its TIFF.
int faxline_t30_claim_received_rows(void *t30, faxline_row_fn handler, void *user_data);

/// The page being received: its width in pixels and its resolution in pixels per metre.
typedef struct {
    int width;
    int x_resolution;
    int y_resolution;
} faxline_received_page_t;

faxline_received_page_t faxline_t30_received_page(void *t30);

#endif
