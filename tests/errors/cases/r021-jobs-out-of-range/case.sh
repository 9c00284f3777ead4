# title: --jobs outside 1..32
# about: --jobs N takes a whole number from 1 to 32 (connections at once); anything else is refused before the folder is read.
runner --jobs 0 steps
