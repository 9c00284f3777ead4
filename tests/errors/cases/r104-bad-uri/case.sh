# title: a -d URI libpq cannot parse
# about: Nothing of the URI is echoed (libpq would quote it whole, password included); the message says which form was expected.
runner -d 'postgresql://me:hunter2@[::1/db' steps
