/* dryrun.c - print what a run would do; see dryrun.h. */
#include "dryrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy.h"
#include "migrate.h"
#include "output.h"

void dry_run(const Plan *set, const Preflight *pf, const RunRequest *req, const char *target)
{
    size_t first = pf->first, last = pf->last;
    const char *data_root = req->data_root;
    int model_s3 = req->model_s3;
    /* the folder, the data root and the target come from outside: one line each */
    Buf shown_dir, root, tgt, path;
    buf_init(&shown_dir);
    buf_init(&root);
    buf_init(&tgt);
    buf_init(&path);
    put_display_text(&shown_dir, set->dir, NULL);
    put_display_text(&root, data_root, NULL);
    put_display_text(&tgt, target, NULL);
    if (model_s3)
        printf("dry run: %s (dialect %s), target %s, data from each source's s3= URI (--s3)\n",
               shown_dir.data, set->dialect, tgt.data);
    else
        printf("dry run: %s (dialect %s), target %s, data root %s\n", shown_dir.data, set->dialect,
               tgt.data, root.data);
    Buf b;
    buf_init(&b);
    Buf merr;
    buf_init(&merr);
    if (migrate_describe(&b, set->dir, &merr))
        printf("\nmigrations: %s (a real run would stop before the first step)\n", merr.data);
    else
        fputs(b.data, stdout);
    buf_free(&merr);
    buf_reset(&b);
    for (size_t i = first; i <= last; i++) {
        const Step *s = &set->steps[i];
        buf_reset(&path);
        put_display_text(&path, s->path, NULL);
        printf("\n[%zu/%zu] %s  sha256 %s%s\n", i + 1, set->n, s->file, s->checksum,
               s->no_transaction ? "  (no transaction)" : "");
        /* what --jobs waits for before it starts the step */
        if (s->after) {
            fputs("  after:", stdout);
            for (size_t k = 0; k < s->ndeps; k++)
                printf("%s %s", k ? "," : "", set->steps[s->deps[k]].name);
            putchar('\n');
        } else if (i > 0) {
            puts("  after: every earlier step");
        }
        for (size_t k = 0; k < s->nstmts; k++) {
            const Statement *st = &s->stmts[k];
            printf("  -- statement %zu (%s:%d)\n", k + 1, path.data, st->line);
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
                char *dir = xstrdup(path.data); /* shown only: escaped */
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
    buf_free(&shown_dir);
    buf_free(&root);
    buf_free(&tgt);
    buf_free(&path);
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
