/* The floor of an AudioSocket fax server in plain C on spandsp (a yardstick, not product code):
 * what the fax work plus the socket I/O of a call costs when nothing else runs. It serves CALLS
 * AudioSocket connections at once, like Faxline's frame path: every call receives a fax (a
 * spandsp answering terminal), frames from the far end are fed to it as they come, and one
 * 20 ms clock (a timerfd) sends every call one frame per tick, written with one write; a far end
 * more than 5 frames behind the ticks is fed silence. The listening port is printed first
 * ("port N"); when CALLS calls have ended it prints its figures ("calls= ok= call_s= cpu_s=
 * rss_idle_kb= rss_peak_kb=": CPU from the first connection on, resident memory before it and
 * at the peak).
 *
 * Modes: "event" reads a connection when epoll says it is readable (one read per frame, as
 * NIO does); "tick" reads every connection once per tick instead (no epoll wake-up per frame).
 *
 * Build: cc -O2 reference_audiosocket_server.c -o reference_audiosocket_server \
 *            $(pkg-config --cflags --libs spandsp) -ltiff
 * Usage: reference_audiosocket_server CALLS OUTDIR [event|tick] */
#include <spandsp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define SAMPLES 160
#define JITTER 5

typedef struct {
    int fd;
    fax_state_t *fax;
    uint8_t in[8192];
    int have;
    int finished, code, ended;
    int balance;
    struct timespec connected;
} call_t;

static void phase_e(t30_state_t *s, void *user, int code) { call_t *c = user; c->finished = 1; c->code = code; }

static long resident_kb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0; fclose(f); }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(clockid_t clock) { struct timespec t; clock_gettime(clock, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int calls_wanted, calls_ended, calls_ok, tick_mode;
static double call_seconds;

static void end_call(int ep, call_t *c, int send_hangup) {
    if (c->ended) return;
    c->ended = 1;
    if (send_hangup) { uint8_t h[3] = {0, 0, 0}; (void) !write(c->fd, h, 3); }
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    t30_terminate(fax_get_t30_state(c->fax));
    if (c->code == T30_ERR_OK) calls_ok++;
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
    call_seconds += (t.tv_sec - c->connected.tv_sec) + (t.tv_nsec - c->connected.tv_nsec) / 1e9;
    fax_free(c->fax);
    calls_ended++;
}

/* One read; every whole frame in the buffer goes to the call. */
static void read_call(int ep, call_t *c) {
    int r = read(c->fd, c->in + c->have, sizeof c->in - c->have);
    if (r == 0 || (r < 0 && errno != EAGAIN)) { end_call(ep, c, 0); return; }
    if (r < 0) return;
    c->have += r;
    int at = 0;
    while (c->have - at >= 3) {
        int len = (c->in[at + 1] << 8) | c->in[at + 2];
        if (c->have - at < 3 + len) break;
        uint8_t kind = c->in[at];
        if (kind == 0x00 || kind == 0xff) { end_call(ep, c, 0); return; }
        if (kind == 0x10) {
            int16_t samples[2048];
            memcpy(samples, c->in + at + 3, len);
            fax_rx(c->fax, samples, len / 2);
            if (c->balance < JITTER) c->balance++;
        }
        at += 3 + len;
    }
    memmove(c->in, c->in + at, c->have - at);
    c->have -= at;
}

static void tick_call(int ep, call_t *c) {
    if (tick_mode) { read_call(ep, c); if (c->ended) return; }
    if (--c->balance < -JITTER) { int16_t silence[SAMPLES] = {0}; fax_rx(c->fax, silence, SAMPLES); c->balance++; }
    uint8_t out[3 + 2 * SAMPLES];
    out[0] = 0x10; out[1] = (2 * SAMPLES) >> 8; out[2] = (2 * SAMPLES) & 0xff;
    int16_t buf[SAMPLES];
    int n = fax_tx(c->fax, buf, SAMPLES);
    if (n < SAMPLES) memset(buf + n, 0, (SAMPLES - n) * 2);
    memcpy(out + 3, buf, sizeof buf);
    if (write(c->fd, out, sizeof out) != (ssize_t) sizeof out) { end_call(ep, c, 0); return; }
    if (c->finished) end_call(ep, c, 1);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s CALLS OUTDIR [event|tick]\n", argv[0]); return 2; }
    calls_wanted = atoi(argv[1]);
    tick_mode = argc > 3 && strcmp(argv[3], "tick") == 0;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (void *) &a, sizeof a) || listen(ls, 256)) { perror("bind"); return 1; }
    socklen_t al = sizeof a; getsockname(ls, (void *) &a, &al);
    printf("port %d\n", ntohs(a.sin_port)); fflush(stdout);

    int ep = epoll_create1(0);
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec period = {{0, 20000000}, {0, 20000000}};
    timerfd_settime(tfd, 0, &period, NULL);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    ev.data.ptr = &tfd; epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

    call_t **calls = calloc(calls_wanted, sizeof *calls);
    long idle_kb = resident_kb();
    int accepted = 0, serial = 0;
    double cpu0 = -1;
    while (calls_ended < calls_wanted) {
        struct epoll_event evs[256];
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) {
                int fd = accept(ls, NULL, NULL);
                if (fd < 0) continue;
                if (accepted == calls_wanted) { close(fd); continue; }
                if (cpu0 < 0) cpu0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                fcntl(fd, F_SETFL, O_NONBLOCK);
                call_t *c = calloc(1, sizeof *c);
                c->fd = fd; c->code = -1;
                clock_gettime(CLOCK_MONOTONIC, &c->connected);
                c->fax = fax_init(NULL, 0);
                t30_state_t *t = fax_get_t30_state(c->fax);
                fax_set_transmit_on_idle(c->fax, 1);
                t30_set_ecm_capability(t, 1);
                t30_set_supported_compressions(t, T30_SUPPORT_T4_1D_COMPRESSION | T30_SUPPORT_T4_2D_COMPRESSION | T30_SUPPORT_T6_COMPRESSION);
                t30_set_tx_ident(t, "+1 555 0199");
                t30_set_phase_e_handler(t, phase_e, c);
                char path[4096]; snprintf(path, sizeof path, "%s/c%d.tif", argv[2], serial++);
                t30_set_rx_file(t, path, -1);
                calls[accepted++] = c;
                struct epoll_event cev = {.events = tick_mode ? 0 : EPOLLIN, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
            } else if (evs[i].data.ptr == &tfd) {
                uint64_t expirations; (void) !read(tfd, &expirations, sizeof expirations);
                for (int k = 0; k < accepted; k++) if (!calls[k]->ended) tick_call(ep, calls[k]);
            } else {
                call_t *c = evs[i].data.ptr;
                if (!c->ended) read_call(ep, c);
            }
        }
    }
    double cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    struct rusage usage; getrusage(RUSAGE_SELF, &usage);
    printf("calls=%d ok=%d call_s=%.1f cpu_s=%.3f rss_idle_kb=%ld rss_peak_kb=%ld\n",
           calls_ended, calls_ok, call_seconds, cpu, idle_kb, usage.ru_maxrss);
    return 0;
}
