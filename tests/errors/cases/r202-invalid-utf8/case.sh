# title: invalid UTF-8 in a string
# about: The bad bytes are shown as \xNN.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": 1, "name": "caf\xe9"}\n' >data/events/a.json
runner -q --data data steps
