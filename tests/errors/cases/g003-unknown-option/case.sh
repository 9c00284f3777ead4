# title: an unknown option
first_lines 2 gen --force
