/* main.c - the gen command line: compile a model into out/<dialect>/.
 *
 * Pipeline: read file -> model_from_yaml (YAML) -> analyze_model (names, types,
 * named checks, load order) -> emit_dialect per dialect (pure) -> writer.
 * Exit codes are set here and only here (see usage()).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/message.h"
#include "../common/readfile.h"
#include "../common/utf8.h"
#include "analyze.h"
#include "emit.h"
#include "migrate.h"
#include "writer.h"

#define STARGEN_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_MODEL = 1, EXIT_USAGE = 2, EXIT_IO = 3, EXIT_STALE = 4 };
#define MODEL_MAX_BYTES (256u << 20)

static void usage(FILE *f)
{
    fputs("usage: gen [-m FILE] [-o DIR] [--target postgres|redshift] [--check] [-q]\n"
          "\n"
          "Compiles a stargen model (default ./schema.yaml) into SQL scripts under\n"
          "DIR/<dialect>/ (default ./out): numbered steps the runner executes in order.\n"
          "\n"
          "  -m, --model FILE   the model to compile (default schema.yaml)\n"
          "  -o, --out DIR      the output folder (default out)\n"
          "  -t, --target NAME  one dialect only: postgres or redshift (default: both)\n"
          "      --check        generate in memory and compare with DIR; write nothing\n"
          "  -q, --quiet        print nothing on success\n"
          "  -h, --help         this text\n"
          "  -V, --version      the version\n"
          "\n"
          "Exit codes: 0 ok; 1 the model has errors (out/ untouched); 2 bad usage;\n"
          "3 the model or the output folder cannot be read or written; 4 --check found\n"
          "out/ stale (regenerate with ./gen and commit).\n",
          f);
}

/* Reads the model file; NULL after printing why.  A model that is read but is not
 * text (a NUL byte) is the model reader's to report, with its line and column. */
static char *read_model(const char *path, size_t *len)
{
    char *d = read_whole_file(path, MODEL_MAX_BYTES, len);
    if (d)
        return d;
    int e = errno;
    struct stat st;
    bool have = stat(path, &st) == 0;
    Buf shown; /* the name as given, control bytes escaped: it prints on one line */
    buf_init(&shown);
    utf8_escape_display_str(&shown, path);
    path = shown.data;
    if (e == EISDIR) {
        msg_error("cannot read the model %s: it is a %s", path,
                  have && S_ISDIR(st.st_mode) ? "directory" : "special file");
        msg_hint("name the model file with -m FILE (default schema.yaml)");
    } else if (e == EFBIG) {
        msg_error("cannot read the model %s: it is %lld bytes; the limit is %u MiB", path,
                  have ? (long long)st.st_size : 0LL, MODEL_MAX_BYTES >> 20);
    } else {
        msg_error("cannot read the model %s: %s", path, strerror(e));
    }
    buf_free(&shown);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *model = "schema.yaml", *outdir = "out", *target = NULL;
    bool check = false, quiet = false;
    static const struct option opts[] = {
        {"model", required_argument, NULL, 'm'},  {"out", required_argument, NULL, 'o'},
        {"target", required_argument, NULL, 't'}, {"check", no_argument, NULL, 'c'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
    int ch;
    msg_set_program("gen");
    opterr = 0; /* getopt's own messages do not follow ours */
    while ((ch = getopt_long(argc, argv, ":m:o:t:qhV", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': model = optarg; break;
        case 'o': outdir = optarg; break;
        case 't': target = optarg; break;
        case 'c': check = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("gen (stargen) %s\n", STARGEN_VERSION); return EXIT_OK;
        case ':':
            msg_error("option %s needs a value", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        default:
            if (optopt)
                msg_error("unknown option -%c", optopt);
            else
                msg_error("unknown option %s", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        msg_error("unexpected argument \"%s\"", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
    }
    const Dialect *only = NULL;
    if (target && !(only = dialect_find(target))) {
        msg_error("unknown target \"%s\"", target);
        msg_hint("use --target postgres or --target redshift (default: both)");
        return EXIT_USAGE;
    }
    size_t len;
    char *text = read_model(model, &len);
    if (!text)
        return EXIT_IO;

    Arena arena;
    arena_init(&arena);
    Diag diag;
    diag_init(&diag, model, stderr);
    diag_set_source(&diag, text, len);
    int rc = EXIT_OK;
    Model *m = model_from_yaml(&arena, &diag, text, len);
    diag_flush(&diag);
    if (m && !diag.errors)
        analyze_model(&arena, &diag, m);
    diag_flush(&diag);
    if (!m || diag.errors) {
        /* a summary of the errors just printed, not an error of its own */
        msg_info("%d error%s in %s; %s/ was not changed", diag.errors, diag.errors == 1 ? "" : "s",
                 model, outdir);
        rc = EXIT_MODEL;
        goto done;
    }
    /* kept tables: what out/ recorded last time, and the migrations a change needs */
    OutPast *pasts[8];
    int npasts = 0;
    for (int i = 0; dialects[i] && npasts < 8; i++) {
        if (only && only != dialects[i])
            continue;
        Buf perr;
        buf_init(&perr);
        OutPast *p = arena_alloc(&arena, sizeof *p);
        if (migrate_read_past(&arena, outdir, dialects[i], p, &perr)) {
            msg_error("%s", perr.data);
            buf_free(&perr);
            rc = EXIT_IO;
            goto done;
        }
        buf_free(&perr);
        pasts[npasts++] = p;
    }
    migrate_check(&arena, &diag, m, pasts, npasts);
    diag_flush(&diag);
    if (diag.errors) {
        msg_info("%d error%s in %s; %s/ was not changed", diag.errors, diag.errors == 1 ? "" : "s",
                 model, outdir);
        rc = EXIT_MODEL;
        goto done;
    }
    const char *base = strrchr(model, '/');
    base = base ? base + 1 : model;
    OutSet set = {0};
    for (int i = 0, p = 0; dialects[i]; i++)
        if (!only || only == dialects[i]) {
            emit_dialect(&arena, m, dialects[i], base, &set);
            migrate_emit(&arena, m, pasts[p++], base, &set);
        }
    vec_push(&arena, &set.dirs, (void *)"");
    emit_docs(&arena, m, base, &set);
    {
        char *cpath = arena_printf(&arena, "%s/CHANGES.md", outdir);
        size_t clen = 0;
        char *old = read_whole_file(cpath, MODEL_MAX_BYTES, &clen);
        migrate_emit_review(&arena, m, pasts, npasts, base, old, clen, &set);
        free(old);
    }
    if (check) {
        int diffs = writer_check(outdir, &set, stderr);
        if (diffs) {
            msg_error("%s/ is stale: %d file%s from %s", outdir, diffs,
                      diffs == 1 ? " differs" : "s differ", model);
            msg_hint("run ./gen and commit %s/", outdir);
            rc = EXIT_STALE;
        } else if (!quiet) {
            msg_info("%s/ matches %s (%zu files)", outdir, model, set.len);
        }
    } else {
        WriteStats st;
        if (writer_write(outdir, model, &set, &st, stderr) != 0) {
            rc = EXIT_IO;
        } else if (!quiet) {
            msg_info("%s -> %s/: %d written, %d unchanged, %d removed", model, outdir, st.written,
                     st.unchanged, st.removed);
        }
    }
    outset_free(&set);
done:
    diag_free(&diag);
    arena_free(&arena);
    free(text);
    return rc;
}
