/* dryrun.c - print what a run would do; see dryrun.h. */
#include "dryrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"

void dry_run(const Plan *set, const Preflight *pf, const RunRequest *req, const char *target)
{
    size_t first = pf->first, last = pf->last;
    const char *data_root = req->data_root;
    int model_s3 = req->model_s3;
    if (model_s3)
        printf("dry run: %s (dialect %s), target %s, data from each source's s3= URI (--s3)\n",
               set->dir, set->dialect, target);
    else
        printf("dry run: %s (dialect %s), target %s, data root %s\n", set->dir, set->dialect,
               target, data_root);
    Buf b;
    buf_init(&b);
    for (size_t i = first; i <= last; i++) {
        const Step *s = &set->steps[i];
        printf("\n[%zu/%zu] %s  sha256 %s%s\n", i + 1, set->n, s->file, s->checksum,
               s->no_transaction ? "  (no transaction)" : "");
        for (size_t k = 0; k < s->nstmts; k++) {
            const Statement *st = &s->stmts[k];
            printf("  -- statement %zu (%s:%d)\n", k + 1, s->path, st->line);
            fputs("    ", stdout);
            for (size_t j = 0; j < st->len; j++) {
                char c = s->text[st->off + j];
                putchar(c);
                if (c == '\n')
                    fputs("    ", stdout);
            }
            puts(";");
            if (st->copy) {
                buf_reset(&b);
                char *dir = xstrdup(s->path);
                char *sl = strrchr(dir, '/');
                if (sl)
                    *sl = '\0';
                copy_describe(&b, st->copy, data_root, model_s3, sl ? dir : ".");
                fputs(b.data, stdout);
                free(dir);
            }
        }
    }
    buf_free(&b);
    Buf miss;
    buf_init(&miss);
    for (size_t i = first; i <= last; i++)
        ph_missing(&pf->vars, &set->steps[i], &miss);
    if (miss.len)
        printf("\nnote: no value yet for %s (a real run would stop before the first step)\n",
               miss.data);
    buf_free(&miss);
    Buf bad;
    buf_init(&bad);
    for (size_t i = first; i <= last && !bad.len; i++)
        ph_check(&pf->vars, &set->steps[i], &bad);
    if (bad.len)
        printf("\nnote: %s (a real run would stop before the first step)\n", bad.data);
    buf_free(&bad);
}
