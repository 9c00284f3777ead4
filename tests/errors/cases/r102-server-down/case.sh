# title: no server on the socket
# about: Transient: retried 3 times with backoff (0.5, 1, 2 s), then exit 3.
runner -d 'host=/nonexistent dbname=x' steps
