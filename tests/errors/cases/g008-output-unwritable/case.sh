# title: the output folder cannot be written
# about: As root a mode-555 folder is writable, so this case makes the folder's parent a file instead.
echo 'a file' >parent
gen -o parent/out
