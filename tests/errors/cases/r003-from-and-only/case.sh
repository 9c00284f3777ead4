# title: --from and --only together
runner --from load_names --only load_names steps
