# title: a -d string libpq cannot parse, with a password in it
# about: Nothing of the string is echoed (libpq would quote the word it stopped at, here the end of a password with a space); the message says which form was expected.
mkdir -p data/events && printf '{"id": 1, "name": "a", "score": 1.5, "ts": 1541105830796, "ok": true, "userId": 7}\n' >data/events/a.json   # the inputs are fine
runner -d 'host=localhost password=Abc QXSECRET9' steps
