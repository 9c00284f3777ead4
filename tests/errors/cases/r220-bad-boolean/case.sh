# title: a string where a boolean is expected
# about: The server refuses it; the runner names the object that became the row.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "ok": "maybe"}\n' >data/events/a.json
runner -q --data data steps
