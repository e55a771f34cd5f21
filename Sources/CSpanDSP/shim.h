#ifndef FAXLINE_CSPANDSP_SHIM_H
#define FAXLINE_CSPANDSP_SHIM_H

// spandsp.h pulls in tiffio.h itself.
#include <spandsp.h>
#include <spandsp/version.h>

// The parts of spandsp's API that changed between 0.0.6 (Debian bookworm, which we build on)
// and later releases are reached only through this header, so a newer spandsp changes the
// shim and nothing in Swift.
//
// - T.30 phase handlers take the t30_state_t first in 0.0.6 and not in later releases.
// - Message handlers carry no user data in 0.0.6: a session gives each logging state a tag
//   and the Swift side routes lines by that tag.

/// One entry point for every T.30 phase event, with the session's context.
typedef void (*faxline_t30_event_fn)(void *context, int phase, int code);

/// Stable storage for the callback and its context; owned by the Swift session object.
typedef struct {
    faxline_t30_event_fn handler;
    void *context;
} faxline_t30_events_t;

enum {
    FAXLINE_PHASE_B = 'B',
    FAXLINE_PHASE_D = 'D',
    FAXLINE_PHASE_E = 'E',
    /// A valid T.30 frame arrived from the far end; the code is its frame type (FCF).
    FAXLINE_FRAME_RECEIVED = 'R',
};

static int faxline_phase_b_trampoline(t30_state_t *s, void *user_data, int result) {
    (void) s;
    faxline_t30_events_t *events = (faxline_t30_events_t *) user_data;
    events->handler(events->context, FAXLINE_PHASE_B, result);
    return T30_ERR_OK;
}

static int faxline_phase_d_trampoline(t30_state_t *s, void *user_data, int result) {
    (void) s;
    faxline_t30_events_t *events = (faxline_t30_events_t *) user_data;
    events->handler(events->context, FAXLINE_PHASE_D, result);
    return T30_ERR_OK;
}

static void faxline_phase_e_trampoline(t30_state_t *s, void *user_data, int completion_code) {
    (void) s;
    faxline_t30_events_t *events = (faxline_t30_events_t *) user_data;
    events->handler(events->context, FAXLINE_PHASE_E, completion_code);
}

static void faxline_frame_trampoline(t30_state_t *s, void *user_data, int incoming, const uint8_t msg[], int len) {
    (void) s;
    if (!incoming || len < 3) return;
    faxline_t30_events_t *events = (faxline_t30_events_t *) user_data;
    events->handler(events->context, FAXLINE_FRAME_RECEIVED, msg[2]);
}

static inline void faxline_t30_set_event_handlers(t30_state_t *s, faxline_t30_events_t *events) {
    t30_set_real_time_frame_handler(s, faxline_frame_trampoline, events);
    t30_set_phase_b_handler(s, faxline_phase_b_trampoline, events);
    t30_set_phase_d_handler(s, faxline_phase_d_trampoline, events);
    t30_set_phase_e_handler(s, faxline_phase_e_trampoline, events);
}

/// Message handler without user data; lines start with the tag given below.
typedef void (*faxline_log_fn)(int level, const char *text);

/// Routes a logging state's lines at `level` or more urgent to `handler`, each line prefixed
/// with `tag` and a space. `tag` must outlive the logging state.
static inline void faxline_log_route(logging_state_t *s, int level, const char *tag, faxline_log_fn handler) {
    span_log_set_message_handler(s, handler);
    span_log_set_tag(s, tag);
    span_log_set_level(s, level | SPAN_LOG_SHOW_TAG);
}

static inline void faxline_log_silence(logging_state_t *s) {
    span_log_set_level(s, SPAN_LOG_NONE);
}

/// T.30 statistics read into plain fields, so Swift need not know the struct's layout across
/// versions.
typedef struct {
    int bit_rate;
    int error_correcting_mode;
    int pages_tx;
    int pages_rx;
    int pages_in_file;
    int x_resolution;
    int y_resolution;
    int width;
    int length;
    int encoding;
    int bad_rows;
    int longest_bad_row_run;
    int error_correcting_mode_retries;
} faxline_t30_stats_t;

static inline faxline_t30_stats_t faxline_t30_stats(t30_state_t *s) {
    t30_stats_t stats;
    memset(&stats, 0, sizeof stats);
    t30_get_transfer_statistics(s, &stats);
    faxline_t30_stats_t out = {
        stats.bit_rate, stats.error_correcting_mode, stats.pages_tx, stats.pages_rx,
        stats.pages_in_file, stats.x_resolution, stats.y_resolution, stats.width,
        stats.length, stats.encoding, stats.bad_rows, stats.longest_bad_row_run,
        stats.error_correcting_mode_retries,
    };
    return out;
}

#endif
