# title: an option without its value
first_lines 2 gen -m
