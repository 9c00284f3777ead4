# title: --from names no step
# about: The valid names follow.
runner --from load_users steps
