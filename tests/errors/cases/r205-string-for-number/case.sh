# title: a string where a number is expected
# about: A string holding a number is accepted ("12"); anything else is an error.
# needs: a PostgreSQL server
mkdir -p data/events
printf '{"id": "12", "name": "a"}\n{"id": "twelve", "name": "b"}\n' >data/events/a.json
runner -q --data data steps
