/* fuzz_model.c - libFuzzer harness: whole YAML documents through gen's
 * pipeline, in memory: model_from_yaml -> analyze_model -> emit_dialect for every
 * dialect (emit is a pure function; nothing is written to disk).
 *
 * The input is used as the model text exactly as gen's read_model() would
 * hand it over: gen refuses NUL bytes before parsing, so inputs holding NUL
 * are cut at the first one; the text is then copied to an exact-size heap
 * buffer plus the NUL gen appends.  Diagnostics are printed to /dev/null
 * (diag formats every message and reprints source lines, which is code
 * worth fuzzing too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/analyze.h"
#include "gen/emit.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    if (size > 1 << 20)
        return 0;
    const uint8_t *nul = memchr(data, 0, size);
    size_t len = nul ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);
    if (!text)
        abort();
    memcpy(text, data, len);
    text[len] = '\0';

    Arena arena;
    arena_init(&arena);
    Diag diag;
    diag_init(&diag, "schema.yaml", devnull);
    diag_set_source(&diag, text, len);
    Model *m = model_from_yaml(&arena, &diag, text, len);
    if (m && !diag.errors)
        analyze_model(&arena, &diag, m);
    if (m && !diag.errors) {
        OutSet set = {0};
        for (int i = 0; dialects[i]; i++)
            emit_dialect(&arena, m, dialects[i], "schema.yaml", &set);
        /* The generated files obey the out/ contract: LF, final newline. */
        for (size_t i = 0; i < set.len; i++) {
            const OutFile *f = &set.files[i];
            if (f->len == 0 || f->data[f->len - 1] != '\n' || memchr(f->data, '\r', f->len) ||
                strlen(f->data) != f->len)
                abort();
        }
        outset_free(&set);
    }
    diag_free(&diag);
    arena_free(&arena);
    free(text);
    return 0;
}
