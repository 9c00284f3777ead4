# title: a statement timeout
# needs: a PostgreSQL server
cp -r steps s
printf 'SELECT pg_sleep(2);\n' >s/06_slow.sql
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json
PGOPTIONS='-c statement_timeout=100' runner -q --data data s
