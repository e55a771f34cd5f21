#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES
#include <spandsp.h>

#include "faxline_spandsp_rows.h"

int faxline_t30_claim_received_rows(void *t30, faxline_row_fn handler, void *user_data) {
    t30_state_t *s = (t30_state_t *) t30;
    // The T.4 state is a union of receiver and sender, zero until a document starts; `rx` is
    // set by t4_rx_init, which runs again (and clears the handler) for each received document.
    t4_rx_state_t *receiver = &s->t4.rx;
    if (receiver->rx != 1 || receiver->t4_t6_rx.row_write_handler == handler) {
        return 0;
    }
    t4_rx_set_row_write_handler(receiver, handler, user_data);
    return 1;
}

faxline_received_page_t faxline_t30_received_page(void *t30) {
    t30_state_t *s = (t30_state_t *) t30;
    t4_rx_state_t *receiver = &s->t4.rx;
    faxline_received_page_t page = { receiver->image_width, receiver->x_resolution, receiver->y_resolution };
    return page;
}
