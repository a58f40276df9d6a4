#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

/* strerror() may share a static buffer between threads; strerror_r (XSI) does not. */
#define ERRTEXT(err)                                                                               \
    char errtext[128];                                                                             \
    if (strerror_r((err), errtext, sizeof errtext) != 0)                                           \
    snprintf(errtext, sizeof errtext, "error %d", (err))

#ifdef HOGFEAT_TESTING
static atomic_long io_fail_at;
static atomic_int io_fail_errno;
static atomic_size_t io_count;

void hogfeat__test_io_fail_at(long nth, int errno_value)
{
    atomic_store(&io_count, 0);
    atomic_store(&io_fail_errno, errno_value);
    atomic_store(&io_fail_at, nth);
}

size_t hogfeat__test_io_count(void)
{
    return atomic_load(&io_count);
}

/* 1 when the injected failure hits this call (errno set). */
static int io_inject(void)
{
    size_t n = atomic_fetch_add(&io_count, 1) + 1;
    long at = atomic_load(&io_fail_at);
    if (at > 0 && (size_t)at == n) {
        errno = atomic_load(&io_fail_errno);
        return 1;
    }
    return 0;
}
#else
static inline int io_inject(void)
{
    return 0;
}
#endif

hogfeat_status hogfeat__read_file(const char *path, size_t max_bytes, unsigned char **out_data,
                                  size_t *out_size)
{
    *out_data = NULL;
    *out_size = 0;
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "file name is NULL");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ERRTEXT(errno);
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s: cannot open: %s", path, errtext);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        ERRTEXT(errno);
        close(fd);
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s: cannot stat: %s", path, errtext);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s: %s", path,
                             S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        close(fd);
        return hogfeat__fail(HOGFEAT_ERR_LIMIT_EXCEEDED, "%s: %lld bytes exceed the limit of %zu bytes",
                             path, (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    unsigned char *data = hogfeat__malloc(size ? size : 1);
    if (!data) {
        close(fd);
        return hogfeat__fail(HOGFEAT_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes", path, size);
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? errno : 0;
            ERRTEXT(err);
            close(fd);
            hogfeat__free(data);
            return hogfeat__fail(HOGFEAT_ERR_IO, "%s: read failed after %zu of %zu bytes: %s", path, done,
                                 size, err ? errtext : "file shrank while reading");
        }
        done += (size_t)n;
    }
    close(fd);
    *out_data = data;
    *out_size = size;
    return HOGFEAT_OK;
}

/* Directory part of path into buf ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(buf, cap, ".");
    } else if (slash == path) {
        snprintf(buf, cap, "/");
    } else {
        size_t n = (size_t)(slash - path);
        snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), path);
    }
}

hogfeat_status hogfeat__write_file_atomic(const char *path, const void *data, size_t size)
{
    if (!path)
        return hogfeat__fail(HOGFEAT_ERR_NULL_POINTER, "file name is NULL");
    size_t plen = strlen(path);
    if (plen == 0 || plen > 4000)
        return hogfeat__fail(HOGFEAT_ERR_INVALID_ARGUMENT, "file name is empty or too long");
    char tmp[4096 + 64];
    int fd = -1;
    /* A unique name without global state: pid, a stack address and the clock.
     * O_EXCL makes a collision harmless; retry a few times. */
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%lx-%lx", path, (long)getpid(),
                 (unsigned long)((uintptr_t)&ts >> 4), (unsigned long)(ts.tv_nsec + attempt));
        if (io_inject())
            break;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        ERRTEXT(errno);
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s: cannot create a temporary file: %s", path, errtext);
    }

    /* Keep the permissions of the file being replaced (a private 0600 model
     * stays private); a new file gets 0666 & ~umask from open(). */
    struct stat old_st;
    if (stat(path, &old_st) == 0 && S_ISREG(old_st.st_mode))
        (void)fchmod(fd, old_st.st_mode & 07777);

    const unsigned char *p = data;
    size_t done = 0;
    const char *failed = NULL;
    while (done < size) {
        ssize_t n = io_inject() ? -1 : write(fd, p + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            failed = "write";
            break;
        }
        done += (size_t)n;
    }
    if (!failed && (io_inject() || fsync(fd) != 0))
        failed = "fsync";
    int saved = errno;
    if (close(fd) != 0 && !failed) {
        failed = "close";
        saved = errno;
    }
    if (!failed && (io_inject() || rename(tmp, path) != 0)) {
        failed = "rename";
        saved = errno;
    }
    if (failed) {
        ERRTEXT(saved);
        unlink(tmp);
        return hogfeat__fail(HOGFEAT_ERR_IO, "%s: %s failed: %s; the previous file is unchanged", path, failed,
                             errtext);
    }
    /* Make the rename itself durable. The new file is complete and fsynced
     * and has already replaced the old one, so a failure here can not be
     * undone and is not reported: the caller's promise is old-or-new. */
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)(io_inject() || fsync(dfd) != 0);
        close(dfd);
    }
    return HOGFEAT_OK;
}
