# title: a -d URI libpq cannot parse
# about: libpq quotes the URI; the runner masks its password.
mkdir -p data/events && printf '{"id": 1}\n' >data/events/a.json   # the inputs are fine
runner -d 'postgresql://me:hunter2@[::1/db' steps
