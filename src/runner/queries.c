/* queries.c - run the analytics queries and print/write their results; see queries.h. */
#include "queries.h"

#include "../common/tempfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conn.h"
#include "table.h"

int report_queries(PGconn *c, const Plan *plan, const char *csv_dir, FILE *out, Buf *err)
{
    if (csv_dir && mkdir(csv_dir, 0777) != 0 && errno != EEXIST) {
        buf_printf(err, "cannot create %s: %s", csv_dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < plan->nqueries && rc == 0; i++) {
        const Query *q = &plan->queries[i];
        Buf sql;
        buf_init(&sql);
        buf_putn(&sql, q->text + q->stmt.off, q->stmt.len);
        PGresult *r = PQexec(c, sql.data);
        buf_free(&sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            buf_printf(err, "%s:%d: ", q->path, q->stmt.line);
            conn_put_error(err, c, r);
            PQclear(r);
            rc = -1;
            break;
        }
        Buf b;
        buf_init(&b);
        buf_printf(&b, "\n== %s", q->name);
        if (*q->title)
            buf_printf(&b, ": %s", q->title);
        buf_printf(&b, " (%d row%s)\n", PQntuples(r), PQntuples(r) == 1 ? "" : "s");
        format_table(&b, r, 0);
        fputs(b.data, out);
        buf_free(&b);
        if (csv_dir) {
            Buf csv;
            buf_init(&csv);
            format_csv(&csv, r);
            char *cpath;
            if (asprintf(&cpath, "%s/%s.csv", csv_dir, q->name) < 0)
                abort();
            if (write_file_atomic(cpath, csv.data ? csv.data : "", csv.len, 0666) != 0) {
                buf_printf(err, "cannot write %s: %s", cpath, strerror(errno));
                rc = -1;
            }
            free(cpath);
            buf_free(&csv);
        }
        PQclear(r);
    }
    fflush(out);
    return rc;
}
