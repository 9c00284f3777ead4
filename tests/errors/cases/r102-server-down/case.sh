# title: no server on the socket
# about: Transient: retried 3 times with backoff (0.5, 1, 2 s), then exit 3.
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
runner -d 'host=/nonexistent dbname=x' steps
