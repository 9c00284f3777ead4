/* readfile.c - see readfile.h. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"

char *read_whole_file(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        errno = S_ISREG(st.st_mode) ? e : EISDIR;
        return NULL;
    }
    if (max && (unsigned long long)st.st_size > max) {
        close(fd);
        errno = EFBIG;
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *d = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            d = xrealloc(d, cap);
        }
        ssize_t r = read(fd, d + n, cap - 1 - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(d);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (max && n > max) {
            free(d);
            close(fd);
            errno = EFBIG;
            return NULL;
        }
    }
    close(fd);
    d[n] = '\0';
    *len = n;
    return d;
}
