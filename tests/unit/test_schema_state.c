/* test_schema_state.c - the schema.state reader and writer (src/common/schema_state.c):
 * a round trip is byte for byte, and every malformed line is refused with file:LINE. */
#include <string.h>

#include "../../src/common/arena.h"
#include "../../src/common/schema_state.h"
#include "harness.h"

static const char *const good =
    "# comment\n"
    "stargen-state 1\n"
    "table orders mode=append dist=key:customer_id sort=compound:created_at,order_id\n"
    "column order_id bigint not_null pk\n"
    "column customer_id integer encode=az64 ref=customers.customer_id\n"
    "column amount decimal(10,2) not_null\n"
    "column note varchar(max)\n"
    "table totals mode=replace\n"
    "table customers mode=upsert dist=all sort=none\n"
    "column customer_key bigint not_null pk hash\n"
    "column customer_id integer not_null natural\n"
    "migration 0001_orders_add_note.sql\n"
    "table orders mode=append dist=even sort=none\n"
    "column order_id bigint not_null pk\n";

static int parse(Arena *a, const char *text, SchemaState *st, Buf *err)
{
    buf_reset(err);
    return schema_state_parse(a, "s.state", text, strlen(text), st, err);
}

TEST(schema_state_round_trip)
{
    Arena a;
    arena_init(&a);
    Buf err, out;
    buf_init(&err);
    buf_init(&out);
    SchemaState st;
    CHECK(parse(&a, good, &st, &err) == 0);
    CHECK(st.tables.len == 3 && st.migrations.len == 1);
    StTable *cu = schema_state_find(&st.tables, "customers");
    StColumn *ck = cu ? schema_state_column(cu, "customer_key") : NULL;
    StColumn *ci = cu ? schema_state_column(cu, "customer_id") : NULL;
    CHECK(ck && ck->hash && !ck->natural && ci && ci->natural && !ci->hash);
    StTable *t = schema_state_find(&st.tables, "orders");
    CHECK(t && schema_state_kept(t) && t->columns.len == 4);
    StColumn *c = schema_state_column(t, "customer_id");
    CHECK(c && !c->not_null && !strcmp(c->encode, "az64") &&
          !strcmp(c->ref, "customers.customer_id"));
    CHECK(!schema_state_kept(schema_state_find(&st.tables, "totals")));
    StMigration *m = st.migrations.items[0];
    CHECK(!strcmp(m->file, "0001_orders_add_note.sql") && m->before.len == 1);
    CHECK(!schema_state_same_table(t, m->before.items[0]));
    CHECK(schema_state_same_table(t, t));
    schema_state_print(&out, &st, "postgres", "schema.yaml");
    SchemaState again;
    Buf out2;
    buf_init(&out2);
    CHECK(parse(&a, out.data, &again, &err) == 0);
    schema_state_print(&out2, &again, "postgres", "schema.yaml");
    CHECK(out.len == out2.len && !memcmp(out.data, out2.data, out.len));
    buf_free(&out);
    buf_free(&out2);
    buf_free(&err);
    arena_free(&a);
}

TEST(schema_state_refuses_malformed_lines)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "s.state: empty"},
        {"stargen-state 2\n", "s.state:1: expected `stargen-state 1` first"},
        {"stargen-state 1", "s.state:1: the last line has no newline"},
        {"stargen-state 1\ntable t mode=keep\n", "s.state:2: unknown mode \"keep\""},
        {"stargen-state 1\ntable t mode=append dist=all\n", "needs dist= and sort="},
        {"stargen-state 1\ntable t mode=replace dist=all\n", "takes only mode="},
        {"stargen-state 1\ntable t mode=append dist=all sort=none\ncolumn a strng\n",
         "s.state:3: unknown type \"strng\""},
        {"stargen-state 1\ntable t mode=append dist=all sort=none\ncolumn a integer nul\n",
         "unexpected word \"nul\""},
        {"stargen-state 1\ntable t mode=append dist=all sort=none\ncolumn a integer\ncolumn a "
         "integer\n",
         "column \"a\" listed twice"},
        {"stargen-state 1\ncolumn a integer\n", "must follow a kept table"},
        {"stargen-state 1\ntable t mode=append dist=all sort=none\n", "has no columns"},
        {"stargen-state 1\ntable  t mode=replace\n", "one space"},
        {"stargen-state 1\ntable T mode=replace\n", "expected `table NAME"},
        {"stargen-state 1\nmigration 0002_b.sql\nmigration 0001_a.sql\n", "out of order"},
        {"stargen-state 1\nmigration 1_a.sql\n", "expected `migration NNNN_name.sql`"},
        {"stargen-state 1\nview v\n", "unknown record \"view\""},
        {"stargen-state 1\ntable t mode=append dist=key:A sort=none\n", "bad dist"},
        {"stargen-state 1\ntable t mode=append dist=all sort=compound:a,\n", "bad sort"},
    };
    Arena a;
    arena_init(&a);
    Buf err;
    buf_init(&err);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        SchemaState st;
        int rc = parse(&a, bad[i].text, &st, &err);
        CHECK(rc == -1);
        CHECK(err.len && strstr(err.data, bad[i].msg));
    }
    buf_free(&err);
    arena_free(&a);
}
