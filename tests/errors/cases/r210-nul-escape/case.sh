# title: \u0000 in a string
# about: PostgreSQL text cannot hold NUL (Redshift refuses it too).
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "a\\u0000b"}\n' >data/events/a.json
runner -q --data data steps
