/* readfile.h - reading a whole regular file into memory, the one way the project does it. */
#ifndef STARGEN_READFILE_H
#define STARGEN_READFILE_H

#include <stddef.h>

/* Reads the regular file at path into a malloc'd buffer with a NUL after the last
 * byte; *len gets the size without the NUL (the contents may hold NUL bytes).
 * Returns NULL with errno set on failure: the open/read errno, EISDIR when path is
 * not a regular file, EFBIG when it holds more than max bytes (max 0: no limit).
 * The caller frees the buffer. */
char *read_whole_file(const char *path, size_t max, size_t *len);

#endif
