# title: an argument gen does not take
# about: The model is given with -m, not as an argument.
first_lines 2 gen schema.yaml
