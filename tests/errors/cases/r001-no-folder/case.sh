# title: no step folder
first_lines 2 runner
