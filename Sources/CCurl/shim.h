#ifndef FAXLINE_CCURL_SHIM_H
#define FAXLINE_CCURL_SHIM_H

#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

// curl_easy_setopt and curl_easy_getinfo are variadic: Swift cannot call them, so each
// argument kind we use gets a typed wrapper here.

typedef size_t (*faxline_curl_read_fn)(char *buffer, size_t size, size_t count, void *user_data);
typedef int (*faxline_curl_progress_fn)(void *user_data, curl_off_t dltotal, curl_off_t dlnow,
                                        curl_off_t ultotal, curl_off_t ulnow);
typedef int (*faxline_curl_debug_fn)(CURL *handle, curl_infotype type, char *data, size_t size,
                                     void *user_data);

typedef size_t (*faxline_curl_write_fn)(char *data, size_t size, size_t count, void *user_data);
typedef curl_socket_t (*faxline_curl_opensocket_fn)(void *user_data, curlsocktype purpose,
                                                    struct curl_sockaddr *address);

static inline CURLcode faxline_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode faxline_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode faxline_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode faxline_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(curl, option, list);
}

static inline CURLcode faxline_curl_setopt_read_function(CURL *curl, faxline_curl_read_fn function) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, function);
}

static inline CURLcode faxline_curl_setopt_progress_function(CURL *curl, faxline_curl_progress_fn function) {
    return curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, function);
}

static inline CURLcode faxline_curl_setopt_debug_function(CURL *curl, faxline_curl_debug_fn function) {
    return curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, function);
}

static inline CURLcode faxline_curl_setopt_write_function(CURL *curl, faxline_curl_write_fn function) {
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, function);
}

static inline CURLcode faxline_curl_setopt_opensocket_function(CURL *curl, faxline_curl_opensocket_fn function) {
    return curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, function);
}

/// The socket libcurl asked for, made as libcurl would make it.
static inline curl_socket_t faxline_curl_open_socket(struct curl_sockaddr *address) {
    return socket(address->family, address->socktype, address->protocol);
}

/// What an open-socket callback returns to refuse the connection.
static inline curl_socket_t faxline_curl_socket_bad(void) {
    return CURL_SOCKET_BAD;
}

/// The IP address libcurl is about to connect to: copies its 4 (IPv4) or 16 (IPv6) bytes to
/// `bytes` and returns how many, or 0 for another family.
static inline int faxline_curl_address_bytes(const struct curl_sockaddr *address, unsigned char bytes[16]) {
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)&address->addr;
        memcpy(bytes, &v4->sin_addr, 4);
        return 4;
    }
    if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&address->addr;
        memcpy(bytes, &v6->sin6_addr, 16);
        return 16;
    }
    return 0;
}

static inline CURLcode faxline_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

/// CURL_GLOBAL_DEFAULT is a macro expression Swift does not import.
static inline CURLcode faxline_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// Size curl requires for CURLOPT_ERRORBUFFER.
static inline size_t faxline_curl_error_size(void) {
    return CURL_ERROR_SIZE;
}

/// Return value of a read callback that aborts the transfer.
static inline size_t faxline_curl_readfunc_abort(void) {
    return CURL_READFUNC_ABORT;
}

#endif
