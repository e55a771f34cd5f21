#ifndef FAXLINE_CSPAWN_SHIM_H
#define FAXLINE_CSPAWN_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// Starting an external converter (Ghostscript, LibreOffice) as the leader of its own session,
// with resource limits, which neither Foundation's Process nor posix_spawn can do. Between fork
// and exec the child runs only async-signal-safe calls, written here in C: no Swift code (no
// allocation, no locks another thread may hold) ever runs in the forked child.

/// Starts `path` with `argv` and `envp` (NULL-terminated) in `directory`, as the leader of a new
/// session and process group (whose id is its pid), so the whole tree it starts can be killed
/// at once, at a nice level of 10. stdin is /dev/null; stdout and stderr go to `output_fd`. A limit of 0 is none:
/// `address_space` bytes (RLIMIT_AS), `cpu_seconds` of CPU time (RLIMIT_CPU: SIGXCPU, then
/// SIGKILL 5 s later). No core files. Returns the pid, or -1 with `*error` set to the errno of
/// what failed (fork, or chdir/exec in the child, reported back through a close-on-exec pipe).
static inline pid_t faxline_spawn(const char *path, char *const argv[], char *const envp[],
                                  const char *directory, int output_fd,
                                  uint64_t address_space, uint64_t cpu_seconds, int *error) {
    int report[2];
    if (syscall(SYS_pipe2, report, O_CLOEXEC) != 0) {
        *error = errno;
        return -1;
    }
    // Signals stay blocked across fork, so no handler of the parent runs in the child before
    // the child has reset them all to their defaults.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction standard;
        standard.sa_handler = SIG_DFL;
        standard.sa_flags = 0;
        sigemptyset(&standard.sa_mask);
        for (int number = 1; number < NSIG; number++) sigaction(number, &standard, NULL);
        setsid();
        // Below the server: a converter or a preview uses the CPU the calls leave, and never
        // makes a call's 20 ms frames late (Ghostscript's previews of 200 faxes filed at once
        // are seconds of CPU on 2 cores).
        syscall(SYS_setpriority, PRIO_PROCESS, 0, 10);
        struct rlimit limit;
        if (address_space > 0) {
            limit.rlim_cur = limit.rlim_max = (rlim_t) address_space;
            setrlimit(RLIMIT_AS, &limit);
        }
        if (cpu_seconds > 0) {
            limit.rlim_cur = (rlim_t) cpu_seconds;
            limit.rlim_max = (rlim_t) cpu_seconds + 5;
            setrlimit(RLIMIT_CPU, &limit);
        }
        limit.rlim_cur = limit.rlim_max = 0;
        setrlimit(RLIMIT_CORE, &limit);
        int input = open("/dev/null", O_RDONLY);
        if (input >= 0) dup2(input, 0);
        dup2(output_fd, 1);
        dup2(output_fd, 2);
        // Nothing of the server (sockets, the database) stays open in the tool.
        int keep = report[1];
        int closed = keep == 3 || syscall(SYS_close_range, 3, keep - 1, 0) == 0;
        if (closed) closed = syscall(SYS_close_range, keep + 1, ~0U, 0) == 0;
        if (!closed) {
            struct rlimit files;
            long highest = (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 65536) ? (long) files.rlim_cur : 65536;
            for (long fd = 3; fd < highest; fd++) if (fd != keep) close((int) fd);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (directory == NULL || chdir(directory) == 0) execve(path, argv, envp);
        int failure = errno;
        ssize_t written;
        do { written = write(keep, &failure, sizeof failure); } while (written < 0 && errno == EINTR);
        _exit(127);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        *error = fork_error;
        return -1;
    }
    int child_error = 0;
    ssize_t count;
    do { count = read(report[0], &child_error, sizeof child_error); } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t) sizeof child_error) {
        int ignored;
        while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {}
        *error = child_error;
        return -1;
    }
    return pid;
}

/// Blocks until `pid` (started by faxline_spawn) has ended, kills what is left of its process
/// group (children that outlived it), and only then reaps it: until it is reaped its pid, and
/// so the group id, cannot be reused, so the kill cannot reach an unrelated process. Returns
/// the wait status, or -1 when the process cannot be waited for (someone else reaped it).
static inline int faxline_wait_and_end_group(pid_t pid) {
    siginfo_t info;
    int waited;
    do { waited = waitid(P_PID, (id_t) pid, &info, WEXITED | WNOWAIT); } while (waited < 0 && errno == EINTR);
    if (waited == 0) kill(-pid, SIGKILL);
    int status = 0;
    pid_t reaped;
    do { reaped = waitpid(pid, &status, 0); } while (reaped < 0 && errno == EINTR);
    return reaped == pid ? status : -1;
}

/// Kills the whole process group led by `pid` (a time limit ran out).
static inline int faxline_kill_group(pid_t pid) {
    return kill(-pid, SIGKILL);
}

static inline int faxline_exit_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

static inline int faxline_exit_signal(int status) {
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

#endif
