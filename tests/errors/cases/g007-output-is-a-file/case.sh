# title: the output folder is a regular file
# about: Nothing is written; the model was fine.
echo 'not a folder' >out
gen -o out
