# title: a -d URI libpq cannot parse
# about: libpq quotes the URI; the runner masks its password.
runner -d 'postgresql://me:hunter2@[::1/db' steps
