# title: a -d string libpq cannot parse, with a password in it
# about: Nothing of the string is echoed (libpq would quote the word it stopped at, here the end of a password with a space); the message says which form was expected.
runner -d 'host=localhost password=Abc QXSECRET9' steps
