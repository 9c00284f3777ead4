# title: a wrong password
# about: Not transient: no retry; the password is never printed.
# needs: a PostgreSQL server with password authentication for role pwuser
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
runner -d 'dbname=postgres user=pwuser password=wrong' steps
