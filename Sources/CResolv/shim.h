#ifndef FAXLINE_CRESOLV_SHIM_H
#define FAXLINE_CRESOLV_SHIM_H

#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>
#include <netdb.h>
#include <string.h>

// The system resolver for the mail gateway's SPF checks. resolv.h renames its functions with
// macros (res_query is __res_query) and reads records with macros, which Swift cannot call.

/// Asks the configured name servers; returns the answer's length, or -1 (h_errno says why).
static inline int faxline_res_query(const char *name, int type, unsigned char *answer, int length) {
    return res_query(name, ns_c_in, type, answer, length);
}

/// HOST_NOT_FOUND (1) and NO_DATA (4) mean "no such records"; anything else a failure.
static inline int faxline_h_errno(void) {
    return h_errno;
}

/// Calls `each` with the type and data of every answer record; returns -1 on a malformed answer.
/// For MX and other records with names, `name` receives the expanded name (or is empty).
static inline int faxline_dns_answers(const unsigned char *answer, int length,
                                      void (*each)(void *context, int type, const unsigned char *data, int dataLength, const char *name),
                                      void *context) {
    ns_msg message;
    if (ns_initparse(answer, length, &message) < 0) return -1;
    int count = ns_msg_count(message, ns_s_an);
    for (int index = 0; index < count; index++) {
        ns_rr record;
        if (ns_parserr(&message, ns_s_an, index, &record) < 0) return -1;
        char name[NS_MAXDNAME];
        name[0] = 0;
        if (ns_rr_type(record) == ns_t_mx && ns_rr_rdlen(record) > 2) {
            if (dn_expand(ns_msg_base(message), ns_msg_end(message), ns_rr_rdata(record) + 2, name, sizeof name) < 0) name[0] = 0;
        }
        each(context, ns_rr_type(record), ns_rr_rdata(record), ns_rr_rdlen(record), name);
    }
    return count;
}

#endif
