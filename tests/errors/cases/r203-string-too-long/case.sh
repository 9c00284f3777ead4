# title: a string longer than its column
# about: Lengths are bytes, as Redshift counts them.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "caf\xc3\xa9s"}\n' >data/events/a.json
runner -q --data data steps
