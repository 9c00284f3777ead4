# title: a -d URI libpq cannot parse
# about: Nothing of the URI is echoed (libpq would quote it whole, password included); the message says which form was expected.
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
runner -d 'postgresql://me:hunter2@[::1/db' steps
